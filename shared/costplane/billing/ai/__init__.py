"""The bill side of AI spend: usage and cost reports of one vendor side by side, never
counted twice."""
