package io.salvo.client.consumer;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** RocketMQ's consume timestamp ({@code setConsumeTimestamp}): local time to the second, {@code yyyyMMddHHmmss}. */
final class ConsumeTimestamps {
  private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

  private ConsumeTimestamps() {}

  /** The default: half an hour before now. */
  static String halfAnHourAgo() {
    return LocalDateTime.now().minusMinutes(30).format(FORMAT);
  }

  /** Epoch milliseconds of {@code value}; IllegalArgumentException naming the value and the form when malformed. */
  static long parse(String value) {
    try {
      return LocalDateTime.parse(value, FORMAT).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("consumeTimestamp '" + value
          + "' is not a local time in the form yyyyMMddHHmmss", e);
    }
  }
}
