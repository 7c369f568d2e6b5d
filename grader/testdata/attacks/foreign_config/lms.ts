import { secret } from "helper";
export const leak = () => secret;
