"""Joint handling: the phases a case opens and each participant's `JointTask` child workflow."""
