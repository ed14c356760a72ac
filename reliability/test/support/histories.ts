import type { Database } from "@paysign/server";

export type History = { status: string; transitions: string[] };

/** Each agreement's status and the statuses its events moved it to, oldest first (the creation event included). */
export async function agreementHistories(db: Database, ids: string[]): Promise<Map<string, History>> {
  const agreements = await db.prisma.agreement.findMany({
    where: { id: { in: ids } },
    select: { id: true, status: true, events: { select: { toStatus: true, createdAt: true } } },
  });
  return new Map(
    agreements.map((agreement) => [
      agreement.id,
      {
        status: agreement.status,
        transitions: agreement.events
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
          .map((event) => event.toStatus),
      },
    ]),
  );
}

/** Transitions beyond the expected ones: a change applied twice, or a terminal state left. */
export function extraTransitions(actual: History | undefined, expected: string[]): number {
  if (!actual) return 0;
  return Math.max(0, actual.transitions.length - expected.length);
}

/** The printed figure line every scenario ends with (issue #9's acceptance). */
export function reportLine(
  name: string,
  figures: { injected: number; survived: string | number; lost: number; double: number },
  detail: string,
): string {
  const line =
    `reliability: ${name}: injected=${figures.injected} survived=${figures.survived} ` +
    `lost=${figures.lost} double=${figures.double} (${detail})`;
  console.log(line);
  return line;
}
