"""What a session asks for: exercises, sets, reps, sides and rest.

    plan.py             the session as a pure state machine (SessionPlan, SessionRun)
    programme.py        a therapist's programme (who, what, their limits and notes) and its conversion to a plan
    programme_file.py   the programme's versioned TOML file: read with line-exact errors, written losslessly
"""
