package io.salvo.cluster.admin;

import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * What every admin route class shares: JSON replies, and errors as {@code {"code": <number>, "error": "<ErrorCode>",
 * "message": "..."}} with the HTTP status of the code's category (400, 403 for READ_ONLY, 404, 409, 503, 500).
 */
abstract class JsonRoutes extends AllDirectives {

  /** Completes with {@code success} and the JSON of the stage's value, or with the error JSON of its failure. */
  protected <T> Route reply(StatusCode success, Supplier<CompletionStage<T>> body) {
    CompletionStage<T> stage;
    try {
      stage = body.get();
    } catch (RuntimeException e) {
      return error(e);
    }
    return onComplete(stage, result -> result.isSuccess()
        ? complete(success, result.get(), Jackson.marshaller())
        : error(result.failed().get()));
  }

  protected Route error(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    ErrorCode code = cause instanceof SalvoException se ? se.code() : ErrorCode.INTERNAL;
    String message = cause instanceof SalvoException ? cause.getMessage() : ErrorCode.INTERNAL.format(String.valueOf(cause));
    StatusCode status = code == ErrorCode.READ_ONLY ? StatusCodes.FORBIDDEN : switch (code.category()) {
      case INVALID -> StatusCodes.BAD_REQUEST;
      case NOT_FOUND -> StatusCodes.NOT_FOUND;
      case CONFLICT -> StatusCodes.CONFLICT;
      case UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
      default -> StatusCodes.INTERNAL_SERVER_ERROR;
    };
    return complete(status, Map.of("code", code.number(), "error", code.name(), "message", message), Jackson.marshaller());
  }

  protected static long number(String parameter, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw SalvoException.of(ErrorCode.BAD_REQUEST, "parameter " + parameter + "='" + value + "' is not a number");
    }
  }
}
