import path from "node:path";

/** Every package resolves workspace packages to their TypeScript source, never to a stale dist/. */
const sourceConditions = ["@paysign/source", "module", "node", "development|production"];

export function sharedProject(dir: string) {
  return {
    resolve: { conditions: sourceConditions },
    // Vitest hands these to Node (--conditions) for the dependencies it does not bundle. "module" is left out: with it
    // Node loads @opentelemetry/api's "module" build (required by prom-client), whose extensionless imports it
    // cannot resolve.
    ssr: {
      resolve: {
        conditions: sourceConditions.filter((condition) => condition !== "module"),
        externalConditions: ["@paysign/source"],
      },
    },
    // Vitest loads global setup files in an environment of its own, which does not inherit `resolve`.
    environments: { __vitest__: { resolve: { conditions: sourceConditions } } },
    test: {
      name: path.basename(dir),
      root: dir,
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
}
