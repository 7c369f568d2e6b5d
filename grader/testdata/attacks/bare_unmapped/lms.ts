import * as core from "@tensorflow/tfjs-core";
export const version = () => core.version_core;
