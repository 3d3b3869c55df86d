"""What an exercise is made of, once for all exercises: the measure vocabulary (measures), the postures and
working-leg rules (postures), and the one model that measures a frame as an exercise file says (spec_model).
The exercises themselves are data: assets/exercises/*.toml, read by app.engine.library."""
