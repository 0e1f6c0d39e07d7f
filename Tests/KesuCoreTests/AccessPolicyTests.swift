import Foundation
import Testing
@testable import KesuCore

struct AccessPolicyTests {
    let hq = UnitPath.root("hq")
    var east: UnitPath { hq.child("east") }
    var pudong: UnitPath { east.child("pd") }
    var tianhe: UnitPath { hq.child("south").child("th") }
    let complaintA = UUID(), complaintB = UUID()

    func staff(_ role: Role, at path: UnitPath) -> Principal {
        .staff(StaffIdentity(userID: UUID(), role: role, unitPath: path))
    }

    @Test func aUnitWorksWhatLiesBelowItAndNothingBeside() {
        let outlet = staff(.outlet, at: pudong)
        #expect(AccessPolicy.allows(outlet, .workComplaints, on: Subject(owner: pudong, complaintID: complaintA)))
        #expect(AccessPolicy.denial(outlet, .workComplaints, on: Subject(owner: tianhe)) == .outsideUnit)
        #expect(AccessPolicy.denial(outlet, .workComplaints, on: Subject(owner: east)) == .outsideUnit,
                "a unit does not reach up to its parent's things")
        #expect(AccessPolicy.allows(staff(.quality, at: east), .viewComplaints, on: Subject(owner: pudong)))
        #expect(AccessPolicy.allows(staff(.agent, at: hq), .workComplaints, on: Subject(owner: tianhe)))
    }

    @Test func theRoleIsAskedBeforeTheUnit() {
        #expect(AccessPolicy.denial(staff(.outlet, at: pudong), .assignComplaints, on: Subject(owner: pudong))
                == .roleLacks(.outlet, .assignComplaints))
        #expect(AccessPolicy.denial(staff(.agent, at: hq), .manageUsers, on: .organisation)
                == .roleLacks(.agent, .manageUsers))
        #expect(AccessPolicy.allows(staff(.admin, at: hq), .manageUsers))
    }

    @Test func aConsultedUnitReadsButDoesNotWork() {
        let subject = Subject(owner: tianhe, complaintID: complaintA, consulted: [pudong])
        let outlet = staff(.outlet, at: pudong)
        #expect(AccessPolicy.allows(outlet, .viewComplaints, on: subject))
        #expect(AccessPolicy.denial(outlet, .workComplaints, on: subject) == .consultedOnly)
        #expect(AccessPolicy.denial(staff(.outlet, at: tianhe.child("c1")), .viewComplaints, on: subject) == .outsideUnit)
    }

    @Test func aCustomerActsOnTheirOwnComplaintOnly() {
        let customer = Principal.customer(complaintID: complaintA)
        #expect(AccessPolicy.allows(customer, .actAsCustomer, on: Subject(owner: tianhe, complaintID: complaintA)))
        #expect(AccessPolicy.allows(customer, .readOwnComplaint, on: Subject(owner: nil, complaintID: complaintA)))
        #expect(AccessPolicy.denial(customer, .actAsCustomer, on: Subject(owner: tianhe, complaintID: complaintB))
                == .notTheirs)
        for staffAction in [Permission.viewComplaints, .workComplaints, .recordComplaint] {
            #expect(!AccessPolicy.allows(customer, staffAction, on: Subject(owner: tianhe, complaintID: complaintA)))
        }
        #expect(AccessPolicy.scope(of: customer) == .complaint(complaintA))
    }

    @Test func noStaffRoleActsAsACustomer() {
        for role in Role.allCases {
            #expect(!AccessPolicy.allows(staff(role, at: hq), .actAsCustomer, on: Subject(owner: hq, complaintID: complaintA)))
        }
    }

    @Test func aChannelFilesComplaintsAndNothingElse() {
        let mail = Principal.integration(.channel(.email))
        #expect(AccessPolicy.allows(mail, .recordComplaint))
        #expect(!AccessPolicy.allows(mail, .viewComplaints, on: Subject(owner: hq)))
        #expect(!AccessPolicy.allows(mail, .recordComplaint, on: Subject(owner: hq, complaintID: complaintA)))
        #expect(AccessPolicy.scope(of: mail) == .nothing)
    }

    @Test func theSystemUserHasItsRolesGrantsOnly() {
        let system = Principal.integration(.systemUser(StaffIdentity(userID: UUID(), role: .system, unitPath: hq)))
        #expect(AccessPolicy.allows(system, .pushShipments))
        #expect(!AccessPolicy.allows(system, .workComplaints, on: Subject(owner: hq)))
    }

    @Test func listsAreScopedToTheUnitsSubtree() {
        #expect(AccessPolicy.scope(of: staff(.agent, at: hq)) == .all)
        #expect(AccessPolicy.scope(of: staff(.outlet, at: pudong)) == .subtree(pudong))
    }
}
