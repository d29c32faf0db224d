/** The code a workflow failure carries: Temporal wraps it (WorkflowFailedError → ActivityFailure → ApplicationFailure). */
export async function failureCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    let current = error as Error & { type?: string };
    while (current.cause instanceof Error) current = current.cause as Error & { type?: string };
    return `${current.type ?? current.name}: ${current.message}`;
  }
  throw new Error('expected a failure');
}
