import FluentKit
import Foundation

/// 运单 — a shipment as the operations system reported it. Kesu never invents these.
package final class ShipmentModel: Model, @unchecked Sendable {
    package static let schema = "shipments"

    @ID(key: .id) package var id: UUID?
    @Field(key: "waybill") package var waybill: String
    /// 资费, in fen.
    @Field(key: "service_fee_fen") package var serviceFeeFen: Int64
    /// 保价, in fen; nil when uninsured.
    @OptionalField(key: "insured_value_fen") package var insuredValueFen: Int64?
    @Field(key: "item_kind") package var itemKind: String
    @OptionalParent(key: "origin_unit_id") package var origin: OrgUnitModel?
    @OptionalParent(key: "destination_unit_id") package var destination: OrgUnitModel?
    @OptionalField(key: "promised_at") package var promisedAt: Date?
    @Field(key: "updated_at") package var updatedAt: Date
    @Children(for: \.$shipment) package var events: [TrackingEventModel]

    package init() {}
}

/// 物流轨迹 — one tracking scan of a shipment.
package final class TrackingEventModel: Model, @unchecked Sendable {
    package static let schema = "tracking_events"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "shipment_id") package var shipment: ShipmentModel
    @Field(key: "at") package var at: Date
    @Field(key: "kind") package var kind: String
    @OptionalField(key: "description") package var description: String?
    @OptionalField(key: "location") package var location: String?

    package init() {}

    package init(id: UUID, shipmentID: UUID, at: Date, kind: String, description: String?, location: String?) {
        self.id = id
        self.$shipment.id = shipmentID
        self.at = at
        self.kind = kind
        self.description = description
        self.location = location
    }
}
