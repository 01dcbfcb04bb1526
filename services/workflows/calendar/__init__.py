"""Working days on the official calendar: deadline arithmetic, holiday schedules and their loading."""
