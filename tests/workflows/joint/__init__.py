"""Time-skipping tests of joint handling (services/workflows/joint/)."""
