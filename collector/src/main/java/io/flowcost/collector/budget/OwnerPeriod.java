package io.flowcost.collector.budget;

/** One spend counter: an owner ({@code ownerKey=owner}) in one period ({@code periodId}). */
public record OwnerPeriod(String ownerKey, String owner, BudgetPeriod period, String periodId) {}
