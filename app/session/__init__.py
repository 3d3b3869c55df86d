"""What a session asks for: exercises, sets, reps, sides and rest."""
