"""Hands-free sessions: the start gate (settled in position, then 3-2-1-go), the raised-hand gesture,
offline voice commands, and the spoken phrases the cues play."""
