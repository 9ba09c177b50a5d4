package io.salvo.core.error;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The catalog of every error Salvo reports. Each code has a stable number that crosses the wire (never reuse
 * or renumber one), a category a client can act on, and a message template whose {@code %s} placeholders are
 * filled with the offending values.
 */
public enum ErrorCode {
  OK(0, Category.OK, "ok"),

  // 1xxx: the request is wrong; retrying it unchanged fails again.
  BAD_REQUEST(1001, Category.INVALID, "malformed request: %s"),
  INVALID_TOPIC(1002, Category.INVALID, "invalid topic name '%s': %s"),
  INVALID_TAG(1003, Category.INVALID, "invalid tag '%s': %s"),
  INVALID_KEY(1004, Category.INVALID, "invalid message key '%s': %s"),
  INVALID_PROPERTY(1005, Category.INVALID, "invalid message property '%s': %s"),
  EMPTY_BODY(1006, Category.INVALID, "message body is empty"),
  MESSAGE_TOO_LARGE(1007, Category.INVALID, "message body is %s bytes, over the limit of %s bytes"),
  BATCH_TOO_LARGE(1008, Category.INVALID, "batch holds %s messages, over the limit of %s"),
  INVALID_QUEUE(1009, Category.INVALID, "queue %s does not exist: topic '%s' has %s queues"),
  INVALID_GROUP(1010, Category.INVALID, "invalid group name '%s': %s"),
  INVALID_FILTER(1011, Category.INVALID, "invalid filter expression '%s': %s"),
  INVALID_QUEUE_COUNT(1012, Category.INVALID, "invalid queue count %s: must be between 1 and %s"),
  INVALID_OFFSET(1013, Category.INVALID, "invalid offset %s: %s"),
  INVALID_DELAY(1014, Category.INVALID, "invalid delivery time: %s"),
  /** Admin: a topic's queue count only grows (existing queues hold messages and offsets). */
  QUEUE_COUNT_SHRINK(1015, Category.INVALID, "topic '%s' has %s queues; a queue count only grows (asked for %s)"),
  /** Admin: a mutating admin route on a node started with {@code salvo.broker.admin.read-only = on}. */
  READ_ONLY(1016, Category.INVALID, "this node's admin API is read-only (salvo.broker.admin.read-only): %s refused"),

  // 2xxx: the request is valid but the state it needs is not there.
  TOPIC_NOT_FOUND(2001, Category.NOT_FOUND, "topic '%s' does not exist"),
  TOPIC_EXISTS(2002, Category.CONFLICT, "topic '%s' already exists with %s queues"),
  FENCED(2003, Category.CONFLICT,
      "member '%s' of group '%s' does not hold queue %s: it went to another member, or the member left the group"),
  GROUP_NOT_FOUND(2004, Category.NOT_FOUND, "group '%s' does not exist: no member has joined it and it has no offsets"),
  /** Client side: a lite pull consumer asked to seek (or similar) a queue it does not consume now. */
  QUEUE_NOT_ASSIGNED(2005, Category.CONFLICT, "queue %s is not assigned to this consumer of group '%s': %s"),
  MESSAGE_NOT_FOUND(2006, Category.NOT_FOUND, "no message with id '%s' in topic '%s' (never stored, or deleted by retention)"),
  // transactions (2020-2029)
  TRANSACTION_NOT_FOUND(2020, Category.NOT_FOUND,
      "transaction '%s' of producer group '%s' does not exist: it was never prepared on this cluster"),
  TRANSACTION_RESOLVED(2021, Category.CONFLICT, "transaction '%s' cannot be %s: it is %s"),

  // 3xxx: the broker cannot serve now; the same request may succeed later.
  STORE_UNAVAILABLE(3001, Category.UNAVAILABLE,
      "the message store did not acknowledge within %s; the write may or may not have happened: %s"),
  TIMEOUT(3002, Category.UNAVAILABLE, "no answer within %s: %s"),
  BROKER_UNAVAILABLE(3003, Category.UNAVAILABLE, "no broker answered at %s: %s"),
  SHUTTING_DOWN(3004, Category.UNAVAILABLE, "the broker is shutting down"),

  INTERNAL(5000, Category.INTERNAL, "internal error: %s");

  /** What a caller can do about an error. */
  public enum Category {
    OK, INVALID, NOT_FOUND, CONFLICT, UNAVAILABLE, INTERNAL;

    /** Whether sending the same request again may succeed. */
    public boolean retriable() {
      return this == UNAVAILABLE;
    }
  }

  private static final Map<Integer, ErrorCode> BY_NUMBER =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(ErrorCode::number, Function.identity()));

  private final int number;
  private final Category category;
  private final String template;

  ErrorCode(int number, Category category, String template) {
    this.number = number;
    this.category = category;
    this.template = template;
  }

  public int number() {
    return number;
  }

  public Category category() {
    return category;
  }

  public String template() {
    return template;
  }

  /** The message with its placeholders filled. */
  public String format(Object... args) {
    return args.length == 0 ? template : String.format(template, args);
  }

  /** The code for a wire number; unknown numbers (from a newer broker) map to INTERNAL. */
  public static ErrorCode ofNumber(int number) {
    return BY_NUMBER.getOrDefault(number, INTERNAL);
  }
}
