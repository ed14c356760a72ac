// The build's mode as a literal: scripts/build-mini-program.ts defines it (esbuild `define`), so a release bundle's
// `__PAYSIGN_MODE__ === "development"` folds to false and the development bridge is dropped with it. The test
// runtime sets it as a global. The same values as AppMode (config.ts).
declare const __PAYSIGN_MODE__: "development" | "real";
