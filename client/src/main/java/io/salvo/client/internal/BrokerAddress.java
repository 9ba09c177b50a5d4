package io.salvo.client.internal;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A broker's client address. {@link #parseList} reads the {@code setNamesrvAddr} syntax. Immutable. */
public record BrokerAddress(String host, int port) {

  /** {@code host:port}, with brackets around an IPv6 host. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * Parses {@code "host:port;host:port"}: entries separated by ';' (blanks around entries and empty entries are
   * ignored), a port defaulting to {@code defaultPort}, IPv6 hosts in brackets ({@code [::1]:9876}); duplicates
   * are dropped, order kept. Throws BAD_REQUEST naming the whole value, the entry and the fault.
   */
  public static List<BrokerAddress> parseList(String value, int defaultPort) {
    if (value == null || value.isBlank()) {
      throw fail(value, "no address given: expected host:port[;host:port...]");
    }
    Set<BrokerAddress> out = new LinkedHashSet<>();
    for (String raw : value.split(";")) {
      String entry = raw.trim();
      if (!entry.isEmpty()) {
        out.add(parseOne(value, entry, defaultPort));
      }
    }
    if (out.isEmpty()) {
      throw fail(value, "no address given: expected host:port[;host:port...]");
    }
    return List.copyOf(new ArrayList<>(out));
  }

  private static BrokerAddress parseOne(String value, String entry, int defaultPort) {
    String host;
    String port;
    if (entry.contains("://")) {
      throw fail(value, "entry '" + entry + "' has a scheme; write host:port");
    }
    if (entry.startsWith("[")) {
      int close = entry.indexOf(']');
      if (close < 0) {
        throw fail(value, "entry '" + entry + "' opens '[' without a closing ']'");
      }
      host = entry.substring(1, close);
      String rest = entry.substring(close + 1);
      if (rest.isEmpty()) {
        port = null;
      } else if (rest.startsWith(":")) {
        port = rest.substring(1);
      } else {
        throw fail(value, "entry '" + entry + "' has '" + rest + "' after ']' where ':port' was expected");
      }
      if (host.isEmpty() || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
        throw fail(value, "entry '" + entry + "' has an invalid IPv6 host '" + host + "'");
      }
    } else {
      int colon = entry.indexOf(':');
      if (colon >= 0 && entry.indexOf(':', colon + 1) >= 0) {
        throw fail(value, "entry '" + entry + "' has several ':'; write an IPv6 host in brackets, as [::1]:9876");
      }
      host = colon < 0 ? entry : entry.substring(0, colon);
      port = colon < 0 ? null : entry.substring(colon + 1);
      if (host.isEmpty()) {
        throw fail(value, "entry '" + entry + "' has no host");
      }
      for (int i = 0; i < host.length(); i++) {
        char c = host.charAt(i);
        if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
          throw fail(value, "entry '" + entry + "' has character '" + c + "' in host '" + host
              + "' (allowed: letters, digits, '.', '-', '_')");
        }
      }
    }
    return new BrokerAddress(host, port == null ? defaultPort : parsePort(value, entry, port));
  }

  private static int parsePort(String value, String entry, String port) {
    int p = -1;
    if (!port.isEmpty() && port.length() <= 5 && port.chars().allMatch(Character::isDigit)) {
      p = Integer.parseInt(port);
    }
    if (p < 1 || p > 65535) {
      throw fail(value, "entry '" + entry + "' has port '" + port + "', not a number between 1 and 65535");
    }
    return p;
  }

  private static SalvoException fail(String value, String detail) {
    return SalvoException.of(ErrorCode.BAD_REQUEST, "namesrvAddr '" + value + "': " + detail);
  }
}
