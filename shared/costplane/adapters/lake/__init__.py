"""adapters/lake"""
