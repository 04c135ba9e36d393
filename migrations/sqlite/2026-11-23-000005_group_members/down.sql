DROP TABLE consultation_members;
