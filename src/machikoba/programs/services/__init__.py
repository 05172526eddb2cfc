"""Every write of the programs app, one topic per module (applications, attendance,
programs, homework, graduation, follow-up). Import the topic module you need."""
