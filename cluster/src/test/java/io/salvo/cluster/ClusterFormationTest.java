package io.salvo.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterFormationTest {
  private static Config config(String contactPoints, String... seeds) {
    StringBuilder s = new StringBuilder("salvo.cluster.contact-points = \"" + contactPoints + "\"\n");
    s.append("akka.cluster.seed-nodes = [");
    for (int i = 0; i < seeds.length; i++) {
      s.append(i == 0 ? "" : ", ").append('"').append(seeds[i]).append('"');
    }
    return ConfigFactory.parseString(s.append("]").toString());
  }

  @Test
  void contactPointsBecomeConfigDiscoveryEndpointsWithAMajorityRequired() {
    ClusterFormation formation =
        ClusterFormation.from(config(" 127.0.0.1:8558, 127.0.0.1:8559 ,broker-3:8558"));
    Config discovery = formation.discoveryConfig();
    List<? extends Config> endpoints = discovery.getConfigList("akka.discovery.config.services.salvo.endpoints");
    assertEquals(3, endpoints.size());
    assertEquals("127.0.0.1", endpoints.get(1).getString("host"));
    assertEquals(8559, endpoints.get(1).getInt("port"));
    assertEquals("broker-3", endpoints.get(2).getString("host"));
    assertEquals(2, discovery.getInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
    assertTrue(formation.describe().contains("2 of them"), formation.describe());
  }

  @Test
  void aMajorityOfFiveIsThree() {
    assertEquals(3, ClusterFormation.from(config("a:1,b:1,c:1,d:1,e:1")).requiredContactPoints());
  }

  @Test
  void neitherContactPointsNorSeedsIsASingleNodeWithNothingToOverlay() {
    ClusterFormation formation = ClusterFormation.from(config(""));
    assertTrue(formation.discoveryConfig().isEmpty());
    assertTrue(formation.describe().startsWith("a single node"), formation.describe());
  }

  @Test
  void seedNodesAloneAreKept() {
    ClusterFormation formation = ClusterFormation.from(config("", "akka://salvo@127.0.0.1:25520"));
    assertTrue(formation.discoveryConfig().isEmpty());
    assertEquals("seed nodes [akka://salvo@127.0.0.1:25520]", formation.describe());
  }

  @Test
  void malformedEntriesAndBothMethodsAreRefusedByName() {
    var noPort = assertThrows(IllegalArgumentException.class, () -> ClusterFormation.from(config("127.0.0.1")));
    assertTrue(noPort.getMessage().contains("'127.0.0.1' is not host:port"), noPort.getMessage());
    var badPort = assertThrows(IllegalArgumentException.class, () -> ClusterFormation.from(config("h:70000")));
    assertTrue(badPort.getMessage().contains("'h:70000' has no valid port"), badPort.getMessage());
    var both = assertThrows(IllegalArgumentException.class,
        () -> ClusterFormation.from(config("h:8558", "akka://salvo@h:25520")));
    assertTrue(both.getMessage().contains("set one"), both.getMessage());
  }
}
