import path from "node:path";

/** Every package resolves workspace packages to their TypeScript source, never to a stale dist/. */
export const sourceConditions = ["@paysign/source", "module", "node", "development|production"];

export function sharedProject(dir: string) {
  return {
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions, externalConditions: ["@paysign/source"] } },
    test: {
      name: path.basename(dir),
      root: dir,
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
}
