package io.salvo.client.javadsl;

import akka.Done;
import akka.NotUsed;
import akka.stream.javadsl.Flow;

/** Flows of the Akka Streams API that are not about producing ({@link SalvoProducer} has those). */
public final class SalvoFlow {
  private SalvoFlow() {}

  /**
   * Commits each offset as it arrives ({@link CommittableOffset#commit()}) and emits {@link Done} for it, so that a
   * stream can go on after committing. Committing is local and immediate: the consumer that emitted the message sends
   * its queues' committed offsets to the broker every commit interval, at a hand-over and at shutdown (see
   * {@link CommittableOffset}). Never fails by itself.
   */
  public static Flow<CommittableOffset, Done, NotUsed> committer() {
    return Flow.<CommittableOffset>create().map(offset -> {
      offset.commit();
      return Done.getInstance();
    });
  }
}
