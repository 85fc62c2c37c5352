"""Forecasting daily cost per scope with statsforecast, and measuring how good it has been.

series.py builds daily EffectiveCost series from FOCUS batches; model.py fits MSTL (weekly
season, AutoETS trend) and the SeasonalNaive baseline and turns daily forecasts into month
totals with prediction intervals; projection.py answers "where will this period end";
backtest.py replays past month starts; synthetic.py generates realistic histories.
"""
