"""The single-leg stance (Trendelenburg) test, pure: a two-leg baseline, bouts on one leg, the drop and lean
measured per bout, and a verdict per side."""
