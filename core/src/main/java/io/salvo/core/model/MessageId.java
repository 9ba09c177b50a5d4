package io.salvo.core.model;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Unique message ids, made where a message is born (the producer), so that a retried send keeps its id.
 * 32 hex characters: 8 random bytes fixed per process, then 4 bytes of seconds since the epoch and a 4-byte
 * counter. Unique as long as one process makes fewer than 2^32 ids per second.
 */
public final class MessageId {
  private static final long PROCESS_PREFIX = new SecureRandom().nextLong();
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private MessageId() {}

  /** A new id. Thread safe. */
  public static String next() {
    long low = ((System.currentTimeMillis() / 1000) << 32) | (COUNTER.getAndIncrement() & 0xFFFFFFFFL);
    char[] out = new char[32];
    writeHex(PROCESS_PREFIX, out, 0);
    writeHex(low, out, 16);
    return new String(out);
  }

  /** Whether {@code id} has the form of an id made here. */
  public static boolean isWellFormed(String id) {
    if (id == null || id.length() != 32) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  /** The second (since the epoch) the id was made in, from its bytes 8-11. Requires {@link #isWellFormed}. */
  public static long bornSecond(String id) {
    return Long.parseLong(id, 16, 24, 16);
  }

  private static void writeHex(long value, char[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }
}
