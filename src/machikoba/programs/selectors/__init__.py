"""Every read of the programs app, one topic per module (participant, homework, office).
Import the topic module you need."""
