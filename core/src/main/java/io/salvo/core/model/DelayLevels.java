package io.salvo.core.model;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.time.Duration;

/**
 * RocketMQ's 18 delay levels ({@code Message.setDelayTimeLevel}): level {@code n} delays a message by the
 * {@code n}-th of 1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h, counted from when the broker
 * accepts the send. Retries use them too (level 3 upward: 10 s, 30 s, 1 m, ...).
 */
public final class DelayLevels {
  /** The highest level. */
  public static final int MAX_LEVEL = 18;

  private static final long[] MILLIS = {
      1_000, 5_000, 10_000, 30_000,
      60_000, 120_000, 180_000, 240_000, 300_000, 360_000, 420_000, 480_000, 540_000, 600_000,
      1_200_000, 1_800_000, 3_600_000, 7_200_000};

  private DelayLevels() {}

  /** The delay of {@code level} (1..18); INVALID_DELAY for any other level. */
  public static long millis(int level) {
    if (level < 1 || level > MAX_LEVEL) {
      throw SalvoException.of(ErrorCode.INVALID_DELAY,
          "delay level " + level + " is not one of 1.." + MAX_LEVEL + " (1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h)");
    }
    return MILLIS[level - 1];
  }

  /** The delay of {@code level} as a Duration. */
  public static Duration duration(int level) {
    return Duration.ofMillis(millis(level));
  }

  /**
   * The delivery time of a message sent at {@code nowMs} with {@code level} (0: none) or {@code deliverTimeMs} (0:
   * none): at most one may be set. 0 when the message is not delayed.
   */
  public static long deliverAt(int level, long deliverTimeMs, long nowMs) {
    if (level != 0 && deliverTimeMs != 0) {
      throw SalvoException.of(ErrorCode.INVALID_DELAY,
          "both a delay level (" + level + ") and a delivery time (" + deliverTimeMs + ") are set; set one");
    }
    if (deliverTimeMs < 0) {
      throw SalvoException.of(ErrorCode.INVALID_DELAY, "delivery time " + deliverTimeMs + " ms is negative");
    }
    return level != 0 ? nowMs + millis(level) : deliverTimeMs;
  }
}
