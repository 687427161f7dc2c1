package io.flowcost.examples.demo;

/**
 * A structured damage grade, parsed from the model's JSON answer.
 *
 * @param severity minor, major or total
 * @param amount estimated repair cost in EUR
 */
public record DamageGrade(String severity, int amount) {}
