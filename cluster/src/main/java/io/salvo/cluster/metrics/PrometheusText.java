package io.salvo.cluster.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): per metric family one {@code # HELP} and one
 * {@code # TYPE} line, then its samples {@code name{label="value",...} number}. Label values are escaped (backslash,
 * double quote, newline). Not thread safe: one per scrape.
 */
public final class PrometheusText {
  private final StringBuilder out = new StringBuilder(4096);

  /** Starts a family: {@code type} is counter, gauge, histogram or untyped. */
  public PrometheusText family(String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  /** A sample without labels. */
  public PrometheusText sample(String name, double value) {
    return sample(name, Map.of(), value);
  }

  /** A sample; labels in the map's order. */
  public PrometheusText sample(String name, Map<String, String> labels, double value) {
    out.append(name);
    if (!labels.isEmpty()) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, String> label : labels.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        out.append(label.getKey()).append("=\"").append(escape(label.getValue())).append('"');
      }
      out.append('}');
    }
    out.append(' ').append(number(value)).append('\n');
    return this;
  }

  /**
   * A histogram from per-bucket counts: {@code counts[i]} observations at or below {@code upperBounds[i]}, the last
   * count (one more than the bounds) above every bound. Writes cumulative {@code _bucket} lines with {@code le}, the
   * {@code +Inf} bucket, {@code _sum} and {@code _count}.
   */
  public PrometheusText histogram(String name, double[] upperBounds, long[] counts, double sum) {
    long cumulative = 0;
    for (int i = 0; i < upperBounds.length; i++) {
      cumulative += counts[i];
      sample(name + "_bucket", Map.of("le", number(upperBounds[i])), cumulative);
    }
    cumulative += counts[upperBounds.length];
    sample(name + "_bucket", Map.of("le", "+Inf"), cumulative);
    sample(name + "_sum", sum);
    sample(name + "_count", cumulative);
    return this;
  }

  /** Two labels in order, for the common case. */
  public static Map<String, String> labels(String k1, String v1, String k2, String v2) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  static String number(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
