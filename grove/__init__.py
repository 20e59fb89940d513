"""Grove: light tracking, pupil progress meetings, professional growth and SEND provision."""
