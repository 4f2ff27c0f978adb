/// A model's price in USD per million tokens, as the plan's `pricing` section gives it.
public struct ModelPrice: Sendable, Equatable, Codable {
    public var input: Double
    public var output: Double
    /// Input tokens served from the provider's prompt cache; nil: charged as any input token.
    public var cachedInput: Double?

    public init(input: Double, output: Double, cachedInput: Double? = nil) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
    }
}

/// Prices interactions: the app's `costUsd` when it sent one, else tokens times the model's price.
public struct PriceBook: Sendable, Equatable {
    public var prices: [String: ModelPrice]

    public init(_ prices: [String: ModelPrice] = [:]) {
        self.prices = prices
    }

    /// The price of `model`: its own, else that of the longest priced name it extends with a `-` suffix.
    /// Providers answer with dated snapshots (`gpt-4o-mini-2024-07-18` for a request of `gpt-4o-mini`, which
    /// OpenTelemetry reports as `gen_ai.response.model`); the plan prices the family.
    public func price(of model: String) -> ModelPrice? {
        if let exact = prices[model] { return exact }
        return prices.filter { model.hasPrefix($0.key + "-") }.max { $0.key.count < $1.key.count }?.value
    }

    /// The cost of `interaction` in USD, or nil when it can't be known (no cost, no tokens or no price):
    /// such interactions are counted as unpriced, never as free. Uncached input × input price + cached input ×
    /// cached-input price + output × output price, per million tokens (as providers bill).
    /// A call the provider refused or failed (`rate_limited`, `api_error`) without reporting usage cost
    /// nothing: providers bill tokens processed, and those answers come before any. A timeout or an invalid
    /// response without usage stays unpriced: the provider may have done, and billed, work the app never saw.
    public func cost(of interaction: AIInteraction) -> Double? {
        if let sent = interaction.costUsd { return sent }
        if interaction.totalTokens == nil && (interaction.outcome == .rateLimited || interaction.outcome == .apiError) { return 0 }
        guard let model = interaction.model, let price = price(of: model), interaction.totalTokens != nil else {
            return nil
        }
        // Cached tokens are a part of the input (the validator holds them to it), charged at the cached price.
        let cached = interaction.cachedInputTokens ?? 0
        let input = Double((interaction.inputTokens ?? 0) - cached) * price.input + Double(cached) * (price.cachedInput ?? price.input)
        let output = Double(interaction.outputTokens ?? 0) * price.output
        return (input + output) / 1_000_000
    }
}
