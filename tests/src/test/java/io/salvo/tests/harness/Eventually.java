package io.salvo.tests.harness;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Bounded waiting: retries a check until it passes or the time is up, then fails with the last error. */
public final class Eventually {
  private Eventually() {}

  /** Runs {@code check} until it returns without throwing; fails after {@code limit} with the last error. */
  public static <T> T within(Duration limit, Callable<T> check) {
    long deadline = System.nanoTime() + limit.toNanos();
    Throwable last = null;
    while (true) {
      try {
        return check.call();
      } catch (Throwable t) {
        last = t;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not true within " + limit + "; last error: " + last, last);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting", e);
      }
    }
  }

  public static void within(Duration limit, Runnable check) {
    within(limit, () -> {
      check.run();
      return null;
    });
  }
}
