package io.salvo.core.error;

/** A failure with a catalogued {@link ErrorCode} and a message that names the offending value. */
public class SalvoException extends RuntimeException {
  private final ErrorCode code;

  public SalvoException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public SalvoException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** An exception whose message is the code's template filled with {@code args}. */
  public static SalvoException of(ErrorCode code, Object... args) {
    return new SalvoException(code, code.format(args));
  }

  public ErrorCode code() {
    return code;
  }
}
