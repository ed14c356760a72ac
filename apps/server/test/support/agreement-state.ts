import type { Stack } from "./stack.ts";

/** Status and the events of an agreement, straight from the database. */
export async function agreementState(stack: Stack, id: string) {
  const agreement = await stack.database.db.prisma.agreement.findUniqueOrThrow({
    where: { id },
    include: { events: { orderBy: { createdAt: "asc" } } },
  });
  return {
    status: agreement.status,
    agreementNo: agreement.agreementNo,
    events: agreement.events.map((event) => `${event.fromStatus ?? "∅"}→${event.toStatus} ${event.source}`),
    agreement,
  };
}

/** Moves the sandbox's clock (and so the server's) forward. */
export async function advanceClock(stack: Stack, ms: number): Promise<void> {
  const now = new Date(stack.sandbox.now().getTime() + ms).toISOString();
  const answer = await stack.control.setClock(now);
  if (answer.status !== 200) throw new Error(`clock move failed: ${answer.text}`);
}

export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs)
      throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
