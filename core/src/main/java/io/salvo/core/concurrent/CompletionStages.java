package io.salvo.core.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Guards against a trap of Akka's Java APIs on small machines. The CompletionStages that Akka returns (asks,
 * gRPC client calls) are Scala's CompletableFuture subclass, whose non-async methods ({@code thenApply},
 * {@code whenComplete}, …) run as their async variants on {@code ForkJoinPool.commonPool()}. With 2 CPUs that
 * pool has parallelism 1, and CompletableFuture then starts a new Thread for every callback: thousands of
 * threads a second under load. {@link #direct} turns such a stage into a plain CompletableFuture whose
 * callbacks run on the completing thread.
 */
public final class CompletionStages {
  private static final Executor DIRECT = Runnable::run;

  private CompletionStages() {}

  /** A plain CompletableFuture completed, on the completing thread, with {@code stage}'s outcome. */
  public static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenCompleteAsync((value, failure) -> {
      if (failure != null) {
        out.completeExceptionally(failure);
      } else {
        out.complete(value);
      }
    }, DIRECT);
    return out;
  }
}
