export const secret = "the submission's own import map was used";
