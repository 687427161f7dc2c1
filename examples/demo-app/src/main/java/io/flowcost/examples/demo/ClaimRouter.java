package io.flowcost.examples.demo;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.CosineSimilarity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Routes a claim to the desk whose description is closest to it, with one embedding call. */
public final class ClaimRouter {

  private static final Map<String, String> DESKS = new LinkedHashMap<>();

  static {
    DESKS.put("motor-desk", "Private motor claims: collisions, glass, theft of or from vehicles.");
    DESKS.put("property-desk", "Household contents and buildings: water, fire, theft at home.");
    DESKS.put("commercial-desk", "Small-business property and business interruption losses.");
  }

  private final EmbeddingModel embeddings;

  /** Creates a router that embeds with {@code embeddings}. */
  public ClaimRouter(EmbeddingModel embeddings) {
    this.embeddings = embeddings;
  }

  /** Returns the name of the best-matching desk. */
  public String route(String claim) {
    List<TextSegment> segments = new ArrayList<>();
    segments.add(TextSegment.from(claim));
    DESKS.values().forEach(d -> segments.add(TextSegment.from(d)));
    // One request embeds the claim and the desk descriptions together.
    List<Embedding> vectors = embeddings.embedAll(segments).content();
    String best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    int i = 1;
    for (String desk : DESKS.keySet()) {
      double score = CosineSimilarity.between(vectors.get(0), vectors.get(i++));
      if (score > bestScore) {
        bestScore = score;
        best = desk;
      }
    }
    return best;
  }
}
