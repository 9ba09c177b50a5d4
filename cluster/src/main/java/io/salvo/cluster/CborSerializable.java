package io.salvo.cluster;

/** Marker of commands and replies that cross nodes; bound to Akka's jackson-cbor serializer in cluster.conf. */
public interface CborSerializable {}
