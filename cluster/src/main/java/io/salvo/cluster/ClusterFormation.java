package io.salvo.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How this node comes into a cluster, read from the configuration: through Akka Cluster Bootstrap when
 * {@code salvo.cluster.contact-points} lists the nodes' management endpoints, through Akka's seed-node join when
 * {@code akka.cluster.seed-nodes} is set, or (neither) by joining itself as a one-node cluster.
 *
 * <p>Bootstrap is the safe one for a cluster that restarts nodes: a node forms a new cluster only when a majority of
 * the contact points answer its probes and none of them is in a cluster; a restarted node whose peers are slow to
 * answer keeps probing instead of founding a second cluster beside the running one (which seed nodes do when the
 * first seed is restarted), since two clusters would each run every queue's entity, two writers of one journal.
 */
public final class ClusterFormation {
  /** The config discovery service the contact points are listed under. */
  private static final String SERVICE = "salvo";

  /** A management endpoint of one node. */
  public record ContactPoint(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  private final List<ContactPoint> contactPoints;
  private final List<String> seedNodes;

  private ClusterFormation(List<ContactPoint> contactPoints, List<String> seedNodes) {
    this.contactPoints = contactPoints;
    this.seedNodes = seedNodes;
  }

  /** Reads {@code salvo.cluster.contact-points} and {@code akka.cluster.seed-nodes}; a malformed entry is an error. */
  public static ClusterFormation from(Config config) {
    String listed = config.getString("salvo.cluster.contact-points").trim();
    List<ContactPoint> points = new ArrayList<>();
    if (!listed.isEmpty()) {
      for (String entry : listed.split(",")) {
        points.add(parse(entry.trim()));
      }
    }
    List<String> seeds = config.getStringList("akka.cluster.seed-nodes");
    if (!points.isEmpty() && !seeds.isEmpty()) {
      throw new IllegalArgumentException("both salvo.cluster.contact-points (" + listed + ") and akka.cluster.seed-nodes "
          + seeds + " are set: set one (contact points are the safer)");
    }
    return new ClusterFormation(List.copyOf(points), List.copyOf(seeds));
  }

  static ContactPoint parse(String entry) {
    int colon = entry.lastIndexOf(':');
    if (colon <= 0 || colon == entry.length() - 1) {
      throw new IllegalArgumentException("salvo.cluster.contact-points: '" + entry
          + "' is not host:port (the management endpoint of a node, e.g. 127.0.0.1:8558)");
    }
    try {
      int port = Integer.parseInt(entry.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return new ContactPoint(entry.substring(0, colon), port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("salvo.cluster.contact-points: '" + entry + "' has no valid port (1-65535)");
    }
  }

  /** The contact points needed to form a new cluster: a majority of them. */
  public int requiredContactPoints() {
    return contactPoints.size() / 2 + 1;
  }

  /**
   * Settings to lay over the configuration before the actor system starts: the contact points as the endpoints of
   * Akka Discovery's config service, and the majority Bootstrap needs. Empty without contact points.
   */
  public Config discoveryConfig() {
    if (contactPoints.isEmpty()) {
      return ConfigFactory.empty();
    }
    List<Map<String, Object>> endpoints = contactPoints.stream()
        .map(p -> Map.<String, Object>of("host", p.host(), "port", p.port()))
        .toList();
    return ConfigFactory.empty()
        .withValue("akka.discovery.config.services." + SERVICE + ".endpoints",
            ConfigValueFactory.fromIterable(endpoints))
        .withValue("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr",
            ConfigValueFactory.fromAnyRef(requiredContactPoints()));
  }

  /**
   * Starts joining. For Bootstrap the management routes (which answer the other nodes' probes and tell Bootstrap
   * this node's own contact point) must be bound first.
   */
  public void join(ActorSystem<?> system) {
    if (!contactPoints.isEmpty()) {
      ClusterBootstrap.get(Adapter.toClassic(system)).start();
    } else if (seedNodes.isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    // Seed nodes: Akka joins them by itself when the cluster extension starts.
  }

  /** One line for the start-up log and for errors. */
  public String describe() {
    if (!contactPoints.isEmpty()) {
      return "Cluster Bootstrap over contact points " + contactPoints + " (a new cluster needs "
          + requiredContactPoints() + " of them answering, none in a cluster)";
    }
    if (!seedNodes.isEmpty()) {
      return "seed nodes " + seedNodes;
    }
    return "a single node (no salvo.cluster.contact-points, no akka.cluster.seed-nodes)";
  }
}
