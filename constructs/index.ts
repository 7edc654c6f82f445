// The typed lab model. No cdktf here: the same model feeds the local lab and the Azure stack.

export * from "./capacity.js";
export * from "./contact.js";
export * from "./default-lab.js";
export * from "./dns.js";
export * from "./edge.js";
export * from "./errors.js";
export * from "./flood-limit.js";
export * from "./front-end.js";
export * from "./lab.js";
export * from "./mailbox-limits.js";
export * from "./onprem-um.js";
export * from "./policy.js";
export * from "./provider.js";
export * from "./topology.js";
export * from "./user.js";
export * from "./values.js";
