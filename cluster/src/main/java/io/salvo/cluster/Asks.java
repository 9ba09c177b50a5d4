package io.salvo.cluster;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.japi.function.Function;
import io.salvo.core.concurrent.CompletionStages;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/** Asks to entities whose timeout becomes a specific STORE_UNAVAILABLE error naming what was asked. */
public final class Asks {
  private Asks() {}

  public static <M, R> CompletionStage<R> ask(EntityRef<M> entity, Function<ActorRef<R>, M> message,
      Duration timeout, String what) {
    return CompletionStages.direct(entity.<R>ask(message, timeout)).exceptionally(e -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof SalvoException se) {
        throw se;
      }
      if (cause instanceof TimeoutException || cause.getClass().getName().endsWith("AskTimeoutException")) {
        throw SalvoException.of(ErrorCode.STORE_UNAVAILABLE, timeout.toMillis() + " ms", what);
      }
      throw new SalvoException(ErrorCode.INTERNAL, ErrorCode.INTERNAL.format(what + ": " + cause), cause);
    });
  }
}
