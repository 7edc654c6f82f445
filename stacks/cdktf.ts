/**
 * Every import of cdktf's core goes through this file, so the move to its community continuation
 * (CDK Terrain, `cdktn`) is a change of this one line plus the provider package name.
 */
export { App, Fn, TerraformOutput, TerraformStack, TerraformVariable, Testing, testingMatchers } from "cdktf";
