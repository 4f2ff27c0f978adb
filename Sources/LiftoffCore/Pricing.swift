/// A model's price in USD per million tokens, as the plan's `pricing` section gives it.
public struct ModelPrice: Sendable, Equatable, Codable {
    public var input: Double
    public var output: Double

    public init(input: Double, output: Double) {
        self.input = input
        self.output = output
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
    /// such interactions are counted as unpriced, never as free.
    public func cost(of interaction: AIInteraction) -> Double? {
        if let sent = interaction.costUsd { return sent }
        guard let model = interaction.model, let price = price(of: model), interaction.totalTokens != nil else {
            return nil
        }
        let input = Double(interaction.inputTokens ?? 0) * price.input
        let output = Double(interaction.outputTokens ?? 0) * price.output
        return (input + output) / 1_000_000
    }
}
