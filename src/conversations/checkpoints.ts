/**
 * Checkpoints of running answers: every interval, the text of each running answer that grew is
 * stored (one batch, one transaction), so a crash loses at most about one interval of what the
 * user saw; the next start shows it as "interrupted" with that text.
 */
import type { CancelReason, GenerationOutcome, ToolStep } from "../contract.ts";
import type { AnswerCheckpoint, ConversationStore } from "./store.ts";
import { StoreError } from "./store-errors.ts";

/** What checkpointing needs of a generation. */
export interface RunningAnswer {
  id: string;
  settled: Promise<GenerationOutcome>;
  /** The answer's text so far. */
  readonly text: string;
  /** Grows with the text and the tool steps; a checkpoint is stored only when it changed. */
  readonly log: { readonly length: number; toolSteps?(): ToolStep[] };
  /** Ends the answer with an error event: here, when its text can no longer be stored. */
  cancel(reason: CancelReason, failure?: { code: string; message: string; retryable: boolean }): void;
}

interface Tracked {
  conversationId: string;
  answer: RunningAnswer;
  storedEvents: number;
}

export class AnswerCheckpoints {
  readonly #running = new Map<string, Tracked>();
  readonly #storing = new Set<Promise<unknown>>();
  readonly #timer: ReturnType<typeof setInterval>;
  #writing: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<ConversationStore, "checkpointAnswers">,
    intervalMs: number,
  ) {
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    // Checkpoints must not keep a process alive that has nothing else to do.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Checkpoints `answer` until it settles; `stored` resolves once its final form is stored. */
  track(conversationId: string, answer: RunningAnswer, stored: Promise<unknown>): void {
    this.#running.set(answer.id, { conversationId, answer, storedEvents: 0 });
    void answer.settled.finally(() => this.#running.delete(answer.id));
    this.#storing.add(stored);
    void stored.finally(() => this.#storing.delete(stored));
  }

  /** Resolves once every tracked answer's final form is stored (or could not be): for a shutdown. */
  async whenStored(): Promise<void> {
    await Promise.allSettled([...this.#storing]);
  }

  /**
   * Stores every running answer that grew since its last checkpoint; waits for a write already
   * under way instead of starting a second one. A write that fails for good (a full disk, a
   * read-only store) ends those answers with its error, so no model call runs on unseen and
   * unstorable; a busy store is tried again at the next interval.
   */
  flush(): Promise<void> {
    this.#writing ??= this.#write().finally(() => {
      this.#writing = undefined;
    });
    return this.#writing;
  }

  /** Stops the timer; running answers are no longer checkpointed. */
  stop(): void {
    clearInterval(this.#timer);
  }

  async #write(): Promise<void> {
    const due = [...this.#running.values()].filter((entry) => entry.answer.log.length > entry.storedEvents);
    if (due.length === 0) return;
    const marks = due.map((entry) => entry.answer.log.length);
    const batch: AnswerCheckpoint[] = due.map(({ conversationId, answer }) => ({
      conversationId,
      streamId: answer.id,
      content: answer.text,
      toolSteps: answer.log.toolSteps?.(),
    }));
    try {
      await this.store.checkpointAnswers(batch);
      due.forEach((entry, index) => {
        entry.storedEvents = marks[index] ?? entry.storedEvents;
      });
    } catch (error) {
      if (error instanceof StoreError && error.code === "store_busy") return;
      const failure = {
        code: error instanceof StoreError ? error.code : "store_failed",
        message: "the answer could not be stored, so it was stopped",
        retryable: true,
      };
      for (const entry of due) entry.answer.cancel("storage", failure);
    }
  }
}
