import { z } from "npm:zod@4.6.7";
export const schema = z.number();
