package io.salvo.core.filter;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A subscription's tag expression: {@code *} (or empty) matches every message; {@code TagA || TagB} matches
 * messages whose tag is one of those. Parsed once per subscription; immutable and thread safe.
 */
public final class TagFilter implements MessageFilter {
  private static final TagFilter ALL = new TagFilter(null);

  /** In the order written (toString keeps it); null means every message. */
  private final Set<String> tags;

  private TagFilter(Set<String> tags) {
    this.tags = tags;
  }

  public static TagFilter all() {
    return ALL;
  }

  /** Parses an expression; a malformed one throws INVALID_FILTER naming the position. */
  public static TagFilter parse(String expression) {
    if (expression == null || expression.isBlank() || expression.trim().equals("*")) {
      return ALL;
    }
    Set<String> tags = new LinkedHashSet<>();
    int position = 0;
    for (String part : expression.split("\\|\\|", -1)) {
      String tag = part.trim();
      if (tag.isEmpty()) {
        throw SalvoException.of(ErrorCode.INVALID_FILTER, expression, "empty tag at position " + position);
      }
      if (tag.equals("*")) {
        throw SalvoException.of(ErrorCode.INVALID_FILTER, expression, "'*' must stand alone, at position " + position);
      }
      for (int i = 0; i < tag.length(); i++) {
        if (Character.isWhitespace(tag.charAt(i))) {
          throw SalvoException.of(ErrorCode.INVALID_FILTER, expression,
              "whitespace inside a tag at position " + (position + part.indexOf(tag) + i));
        }
      }
      tags.add(tag);
      position += part.length() + 2;
    }
    return new TagFilter(Collections.unmodifiableSet(tags));
  }

  @Override
  public boolean matchesAll() {
    return tags == null;
  }

  /** Whether a message with {@code tag} (null when it has none) passes. */
  public boolean matches(String tag) {
    return tags == null || (tag != null && tags.contains(tag));
  }

  /** Tags only: the properties do not matter. */
  @Override
  public boolean matches(String tag, Map<String, String> properties) {
    return matches(tag);
  }

  @Override
  public Type type() {
    return Type.TAG;
  }

  @Override
  public String expression() {
    return toString();
  }

  @Override
  public String toString() {
    return tags == null ? "*" : String.join(" || ", tags);
  }
}
