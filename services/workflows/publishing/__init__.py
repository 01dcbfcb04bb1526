"""What workflows publish: case events and notifications (the activities), and the one builder of both."""
