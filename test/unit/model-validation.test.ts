import { describe, expect, it } from "vitest";
import {
  ExUmContact,
  FrontEnd,
  HostedUm,
  HostedVoicemailPolicy,
  HostingProvider,
  KamailioEdge,
  LabModelError,
  lit,
  OnPremUm,
  PolicyScope,
  UmLab,
  UmlabError,
  User,
  type UserProps,
} from "../../constructs/index.js";

type Mode = "on-premises" | "cross-premises" | "mixed";

/** A complete, valid lab of the mode, with hooks to break it. */
function build(
  mode: Mode,
  tweak: {
    users?: [string, Partial<UserProps>][];
    policy?: { destination?: string; scope?: PolicyScope } | null;
    extra?: (lab: UmLab) => void;
  } = {},
) {
  const lab = new UmLab(undefined, "t", { mode, sipDomain: "contoso.test" });
  new FrontEnd(lab, "FrontEnd");
  if (mode !== "cross-premises") new OnPremUm(lab, "OnPremUm");
  if (mode !== "on-premises") {
    const provider = new HostingProvider(lab, "Provider", { proxyFqdn: "exap.um.provider.test" });
    new HostedUm(lab, "HostedUm", { provider });
    new KamailioEdge(lab, "Edge");
    if (tweak.policy !== null) {
      new HostedVoicemailPolicy(lab, "Global", { destination: "exap.um.provider.test", ...tweak.policy });
    }
  }
  const users = tweak.users ?? [["alice", { mailbox: mode === "cross-premises" ? "hosted" : "on-premises" }]];
  for (const [name, props] of users) new User(lab, name, { extension: "1001", password: "Secret-123", pin: "1234", ...props });
  tweak.extra?.(lab);
  return lab;
}

/** The error an invalid model is rejected with: thrown by a constructor, or by validateModel(). */
function rejectionOf(fn: () => UmLab): LabModelError {
  try {
    fn().validateModel();
  } catch (err) {
    expect(UmlabError.isUmlabError(err)).toBe(true);
    expect(err).toBeInstanceOf(LabModelError);
    return err as LabModelError;
  }
  throw new Error("the model was accepted");
}

describe("valid models", () => {
  it.each(["on-premises", "cross-premises", "mixed"] as const)("accepts a complete %s lab", (mode) => {
    const users: [string, Partial<UserProps>][] =
      mode === "mixed"
        ? [
            ["alice", { mailbox: "on-premises" }],
            ["carol", { extension: "1003", mailbox: "hosted" }],
          ]
        : [["alice", {}]];
    const policy = mode === "mixed" ? { scope: PolicyScope.site("hosted") } : undefined;
    const lab = build(mode, {
      users: mode === "mixed" ? users.map(([n, p]) => [n, n === "carol" ? { ...p, site: "hosted" } : p]) : users,
      ...(policy ? { policy } : {}),
    });
    expect(() => lab.validateModel()).not.toThrow();
  });
});

const extraCases: [string, string, () => UmLab, RegExp][] = [
  [
    "hosted UM FQDN other than the provider's proxy",
    "HostedUmFqdnMismatch",
    () => {
      const lab = new UmLab(undefined, "t", { mode: "cross-premises", sipDomain: "contoso.test" });
      const provider = new HostingProvider(lab, "P", { proxyFqdn: "exap.um.provider.test" });
      new HostedUm(lab, "H", { provider, fqdn: "other.um.provider.test" });
      return lab;
    },
    /hostedUm.fqdn "other.um.provider.test" differs from hostingProvider.proxyFqdn "exap.um.provider.test"; allowed: the same FQDN/,
  ],
  [
    "contact whose policy names another destination",
    "PolicyDestinationNotServed",
    () =>
      build("cross-premises", {
        extra: (lab) => {
          const p = new HostedVoicemailPolicy(lab, "Elsewhere", { scope: PolicyScope.user(), destination: "elsewhere.test" });
          new ExUmContact(lab, "AA", { kind: "auto-attendant", displayNumber: "1801", hostedVoicemailPolicy: p });
        },
      }),
    /contact "AA": policy "Elsewhere" destination "elsewhere.test" is not served by this lab; allowed: "exap.um.provider.test"/,
  ],
  [
    "display name with a line break",
    "UserDisplayNameInvalid",
    () => build("on-premises", { users: [["alice", { displayName: "Alice\n99 => 0000" }]] }),
    /user "alice": displayName "Alice\\n99 => 0000" is invalid/,
  ],
  [
    "SIP users that differ only by punctuation",
    "IndistinguishableSipUser",
    () =>
      build("on-premises", {
        users: [
          ["ab", {}],
          ["a.b", { extension: "1002" }],
        ],
      }),
    /user "a.b": SIP user "a.b" is indistinguishable from user "ab"'s once punctuation is removed/,
  ],
  [
    "corporate network too small for the phones",
    "CidrInvalid",
    () => new UmLab(undefined, "t", { mode: "on-premises", sipDomain: "contoso.test", addressPlan: { corp: "10.1.0.0/26" } }),
    /addressPlan.corp "10.1.0.0\/26" is not a valid network; allowed: an IPv4 CIDR with a prefix from \/16 to \/24/,
  ],
];

describe("invalid models are rejected with the field, the value and what is allowed", () => {
  const cases: [string, string, () => UmLab, RegExp][] = [
    [
      "unknown mode",
      "LabModeInvalid",
      () => new UmLab(undefined, "t", { mode: "hybrid" as Mode, sipDomain: "contoso.test" }),
      /mode "hybrid" is invalid; allowed: "on-premises", "cross-premises", "mixed"/,
    ],
    [
      "bad SIP domain",
      "FqdnInvalid",
      () => new UmLab(undefined, "t", { mode: "mixed", sipDomain: "Contoso" }),
      /sipDomain "Contoso" is not a valid domain name; allowed: lowercase labels/,
    ],
    [
      "duplicate extension",
      "DuplicateExtension",
      () =>
        build("on-premises", {
          users: [
            ["alice", {}],
            ["bob", {}],
          ],
        }),
      /user "bob": extension "1001" is already used by user "alice" \(on-premises\); allowed: unique values/,
    ],
    [
      "bad extension",
      "UserExtensionInvalid",
      () => build("on-premises", { users: [["alice", { extension: "12a" }]] }),
      /user "alice": extension "12a" is invalid; allowed: 2 to 8 digits/,
    ],
    [
      "bad SIP URI",
      "UserSipUriInvalid",
      () => build("on-premises", { users: [["alice", { sipUri: "alice@contoso.test" }]] }),
      /user "alice": sipUri "alice@contoso.test" is invalid; allowed: "sip:<user>@<domain>"/,
    ],
    [
      "SIP URI outside the domain",
      "UserSipUriOutsideDomain",
      () => build("on-premises", { users: [["alice", { sipUri: "sip:alice@fabrikam.test" }]] }),
      /sipUri "sip:alice@fabrikam.test" is outside the lab's SIP domain; allowed: "sip:<user>@contoso.test"/,
    ],
    [
      "duplicate SIP URI",
      "DuplicateSipUri",
      () =>
        build("on-premises", {
          users: [
            ["alice", {}],
            ["al", { extension: "1002", sipUri: "sip:alice@contoso.test" }],
          ],
        }),
      /user "al": sipUri "sip:alice@contoso.test" is already used by user "alice"/,
    ],
    [
      "short password",
      "UserPasswordInvalid",
      () => build("on-premises", { users: [["alice", { password: "short" }]] }),
      /user "alice": password is invalid \(5 characters\); allowed: 8 to 64 printable ASCII characters/,
    ],
    [
      "bad PIN",
      "UserPinInvalid",
      () => build("on-premises", { users: [["alice", { pin: "12" }]] }),
      /user "alice": pin "12" is invalid; allowed: 4 to 8 digits/,
    ],
    [
      "hosted user in on-premises mode",
      "UserMailboxNotInMode",
      () => build("on-premises", { users: [["alice", { mailbox: "hosted" }]] }),
      /user "alice": mailbox "hosted" is not allowed in mode "on-premises"; allowed: "on-premises"/,
    ],
    [
      "on-premises mailbox in cross-premises mode",
      "UserMailboxNotInMode",
      () => build("cross-premises", { users: [["alice", { mailbox: "on-premises" }]] }),
      /mailbox "on-premises" is not allowed in mode "cross-premises"; allowed: "hosted"/,
    ],
    [
      "no mailbox location in mixed mode",
      "UserMailboxNotSet",
      () => build("mixed", { users: [["alice", {}]] }),
      /user "alice": mailbox is not set; allowed in mode "mixed": "on-premises" or "hosted"/,
    ],
    [
      "hosted user without a policy",
      "HostedWithoutPolicy",
      () => build("cross-premises", { policy: null }),
      /user "alice": hostedVoiceMail true needs a hosted voice mail policy; none applies/,
    ],
    [
      "policy without destination",
      "PolicyWithoutDestination",
      () => build("cross-premises", { policy: { destination: undefined } }),
      /policy "Global" has no destination and cannot enable hosted voice mail; allowed: a destination FQDN/,
    ],
    [
      "policy destination not served",
      "PolicyDestinationNotServed",
      () => build("cross-premises", { policy: { destination: "exap.um.outlook.com" } }),
      /destination "exap.um.outlook.com" is not served by this lab; allowed: "exap.um.provider.test"/,
    ],
    [
      "flag contradicting a hosted mailbox",
      "HostedFlagContradictsMailbox",
      () => build("cross-premises", { users: [["alice", { mailbox: "hosted", hostedVoiceMail: false }]] }),
      /hostedVoiceMail false contradicts mailbox "hosted"/,
    ],
    [
      "edge in on-premises mode",
      "RoleNotInMode",
      () => build("on-premises", { extra: (lab) => new KamailioEdge(lab, "Edge") }),
      /mode "on-premises" has no KamailioEdge; remove it/,
    ],
    [
      "missing on-prem UM in mixed mode",
      "RoleMissing",
      () => {
        const lab = new UmLab(undefined, "t", { mode: "mixed", sipDomain: "contoso.test" });
        new FrontEnd(lab, "FrontEnd");
        new User(lab, "alice", { extension: "1001", password: "Secret-123", pin: "1234", mailbox: "on-premises" });
        return lab;
      },
      /mode "mixed" needs a OnPremUm; none was added/,
    ],
    [
      "lab without users",
      "LabWithoutUsers",
      () => build("on-premises", { users: [] }),
      /users: the lab has none; allowed: at least one User/,
    ],
    [
      "no-answer timer out of range",
      "NoAnswerSecondsInvalid",
      () => {
        const lab = new UmLab(undefined, "t", { mode: "on-premises", sipDomain: "contoso.test" });
        new FrontEnd(lab, "FrontEnd", { noAnswerSeconds: 0 });
        return lab;
      },
      /frontEnd.noAnswerSeconds 0 is invalid; allowed: an integer from 2 to 120/,
    ],
    [
      "overlapping networks",
      "AddressPlanOverlap",
      () =>
        new UmLab(undefined, "t", {
          mode: "mixed",
          sipDomain: "contoso.test",
          addressPlan: { corp: "10.1.0.0/16", provider: "10.1.2.0/24" },
        }),
      /addressPlan.provider "10.1.2.0\/24" overlaps addressPlan.corp "10.1.0.0\/16"/,
    ],
    [
      "bad CIDR",
      "CidrHostBitsSet",
      () => new UmLab(undefined, "t", { mode: "mixed", sipDomain: "contoso.test", addressPlan: { corp: "10.61.0.1/24" } }),
      /addressPlan.corp "10.61.0.1\/24" has host bits set/,
    ],
    [
      "bad verification level",
      "ProviderVerificationLevelInvalid",
      () =>
        build("cross-premises", { extra: () => {} }) &&
        (() => {
          const lab = new UmLab(undefined, "t2", { mode: "cross-premises", sipDomain: "contoso.test" });
          new HostingProvider(lab, "P", { proxyFqdn: "exap.um.provider.test", verificationLevel: "Sometimes" as "AlwaysVerifiable" });
          return lab;
        })(),
      /hostingProvider.verificationLevel "Sometimes" is invalid; allowed: "UseSourceVerification", "AlwaysVerifiable", "AlwaysUnverifiable"/,
    ],
    [
      "shared address space disabled",
      "ProviderSharedAddressSpaceDisabled",
      () => {
        const lab = new UmLab(undefined, "t", { mode: "cross-premises", sipDomain: "contoso.test" });
        new HostingProvider(lab, "P", { proxyFqdn: "exap.um.provider.test", enabledSharedAddressSpace: false });
        return lab;
      },
      /hostingProvider.enabledSharedAddressSpace false is invalid; allowed: true/,
    ],
    [
      "policy organization not a domain list",
      "PolicyOrganizationInvalid",
      () => {
        const lab = new UmLab(undefined, "t", { mode: "cross-premises", sipDomain: "contoso.test" });
        new HostedVoicemailPolicy(lab, "P", { destination: "exap.um.provider.test", organization: "contoso.test,,x" });
        return lab;
      },
      /policy "P": organization "contoso.test,,x" is invalid; allowed: comma-separated tenant domains/,
    ],
    [
      "per-user assignment of a global policy",
      "UserPolicyNotPerUser",
      () =>
        build("cross-premises", { extra: () => {} }) &&
        (() => {
          const lab = new UmLab(undefined, "t3", { mode: "cross-premises", sipDomain: "contoso.test" });
          const p = new HostedVoicemailPolicy(lab, "G", { destination: "exap.um.provider.test" });
          new User(lab, "alice", { extension: "1001", password: "Secret-123", pin: "1234", hostedVoicemailPolicy: p });
          return lab;
        })(),
      /hostedVoicemailPolicy "G" has scope "global"; allowed: a policy created with PolicyScope.user\(\)/,
    ],
    [
      "contact without a policy",
      "HostedWithoutPolicy",
      () => {
        const lab = new UmLab(undefined, "t", { mode: "cross-premises", sipDomain: "contoso.test" });
        const p = new HostedVoicemailPolicy(lab, "Alice", { scope: PolicyScope.user(), destination: "exap.um.provider.test" });
        new User(lab, "alice", { extension: "1001", password: "Secret-123", pin: "1234", hostedVoicemailPolicy: p });
        new ExUmContact(lab, "SA", { kind: "subscriber-access", displayNumber: "1800" });
        return lab;
      },
      /contact "SA": has no hosted voice mail policy, so it would do nothing; allowed: grant it a policy/,
    ],
    [
      "contact under a policy without destination",
      "PolicyWithoutDestination",
      () =>
        build("cross-premises", {
          extra: (lab) => {
            const p = new HostedVoicemailPolicy(lab, "Empty", { scope: PolicyScope.user() });
            new ExUmContact(lab, "AA", { kind: "auto-attendant", displayNumber: "1801", hostedVoicemailPolicy: p });
          },
        }),
      /contact "AA": policy "Empty" has no destination, so the contact would do nothing/,
    ],
    [
      "duplicate display number",
      "DuplicateDisplayNumber",
      () =>
        build("mixed", {
          users: [["alice", { mailbox: "on-premises" }]],
          extra: (lab) => {
            new ExUmContact(lab, "SA", { kind: "subscriber-access", displayNumber: "1900", location: "on-premises" });
            new ExUmContact(lab, "AA", { kind: "auto-attendant", displayNumber: "1900", location: "on-premises" });
          },
        }),
      /contact "AA": displayNumber "1900" is already used by contact "SA"; allowed: a number no user or contact has/,
    ],
    [
      "display number of a user",
      "DuplicateDisplayNumber",
      () =>
        build("on-premises", {
          extra: (lab) => {
            new ExUmContact(lab, "SA", { kind: "subscriber-access", displayNumber: "1001" });
          },
        }),
      /contact "SA": displayNumber "1001" is already used by user "alice"/,
    ],
    [
      "bad display number",
      "ContactDisplayNumberInvalid",
      () =>
        build("on-premises", {
          extra: (lab) => {
            new ExUmContact(lab, "SA", { kind: "subscriber-access", displayNumber: "19-00" });
          },
        }),
      /contact "SA": displayNumber "19-00" is invalid; allowed: 3 to 15 digits, optionally with a leading '\+'/,
    ],
    [
      "hosted contact in on-premises mode",
      "ContactLocationNotInMode",
      () =>
        build("on-premises", {
          extra: (lab) => {
            new ExUmContact(lab, "SA", { kind: "subscriber-access", displayNumber: "1800", location: "hosted" });
          },
        }),
      /contact "SA": location "hosted" is not allowed in mode "on-premises"/,
    ],
    [
      "same extension twice in one tenant",
      "DuplicateExtension",
      () =>
        build("cross-premises", {
          users: [
            ["alice", {}],
            ["bob", {}],
          ],
        }),
      /user "bob": extension "1001" is already used by user "alice" \(tenant contoso.test\)/,
    ],
  ];

  it("covers at least 12 distinct rules", () => {
    expect(extraCases.length).toBeGreaterThan(0);
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  it.each([...cases, ...extraCases])("%s: %s", (_name, code, make, message) => {
    const err = rejectionOf(make);
    expect(err.message).toMatch(message);
    // A constructor throws the rule's own code; validateModel() one code for the tree, one per problem.
    expect([code, "LabModelInvalid"]).toContain(err.code);
    expect(err.problems.find((p) => message.test(p.message))?.code).toBe(code);
  });

  it("reports every problem of a tree at once", () => {
    const err = (() => {
      try {
        build("mixed", {
          users: [
            ["alice", {}],
            ["bob", {}],
          ],
        }).validateModel();
      } catch (e) {
        return e as LabModelError;
      }
      throw new Error("accepted");
    })();
    expect(err.problems.length).toBeGreaterThanOrEqual(3);
    expect(err.code).toBe("LabModelInvalid");
    expect(err.problems.map((p) => p.code)).toContain("UserMailboxNotSet");
    for (const p of err.problems) expect(p.code).toMatch(/^[A-Z][A-Za-z]+$/);
  });
});

describe("error codes", () => {
  it("recognises umlab's errors by symbol, also from another copy of the module, and nothing else", () => {
    const elsewhere = Object.assign(new Error("x"), { [Symbol.for("umlab.UmlabError")]: true, code: "Elsewhere" });
    expect(UmlabError.isUmlabError(new LabModelError("UserPinInvalid", "pin"))).toBe(true);
    expect(UmlabError.isUmlabError(elsewhere)).toBe(true);
    expect(UmlabError.isUmlabError(new Error("x"))).toBe(false);
    expect(UmlabError.isUmlabError("UserPinInvalid")).toBe(false);
  });

  it("takes codes only as literals", () => {
    expect(lit`UserPinInvalid`).toBe("UserPinInvalid");
    const field = "Pin";
    // @ts-expect-error: a code built from a value would not be stable
    expect(() => lit`User${field}Invalid`).toThrow(/placeholders/);
  });
});

describe("multi-tenant hosted UM", () => {
  it("lets two tenants use the same extension", () => {
    const lab = build("cross-premises", {
      users: [["alice", {}]],
      extra: (l) => {
        const f = new HostedVoicemailPolicy(l, "Fabrikam", {
          scope: PolicyScope.user(),
          destination: "exap.um.provider.test",
          organization: "fabrikam.test",
        });
        new User(l, "erin", { extension: "1001", password: "Secret-123", pin: "1234", hostedVoicemailPolicy: f });
      },
    });
    expect(() => lab.validateModel()).not.toThrow();
    expect(lab.users.map((u) => u.tenant)).toEqual(["contoso.test", "fabrikam.test"]);
  });
});

describe("routing data", () => {
  it("lets the hosted flag win over an on-premises mailbox (as Lync does)", () => {
    const lab = build("mixed", { users: [["alice", { mailbox: "on-premises", hostedVoiceMail: true }]] });
    lab.validateModel();
    const alice = lab.users[0] as User;
    expect(alice.mailbox).toBe("hosted");
    expect(alice.tenant).toBe("contoso.test");
  });

  it("applies the most specific policy: user, then site, then global", () => {
    const lab = build("cross-premises", {
      policy: { destination: "exap.um.provider.test" },
      users: [
        ["alice", { site: "paris" }],
        ["bob", { extension: "1002" }],
      ],
      extra: (l) => {
        new HostedVoicemailPolicy(l, "Paris", {
          scope: PolicyScope.site("paris"),
          destination: "exap.um.provider.test",
          organization: "paris.contoso.test",
        });
      },
    });
    lab.validateModel();
    const [alice, bob] = lab.users as [User, User];
    expect(alice.policy?.node.id).toBe("Paris");
    expect(alice.tenant).toBe("paris.contoso.test");
    expect(bob.policy?.node.id).toBe("Global");
  });
});

describe("bounds on what reaches configs, command lines and terminals (issue 8)", () => {
  const clash = (sipUri: string, extra?: (lab: UmLab) => void) =>
    build("on-premises", {
      users: [
        ["alice", {}],
        ["bob", { extension: "1002", sipUri }],
      ],
      ...(extra ? { extra } : {}),
    });
  const cases: [string, string, () => UmLab, RegExp][] = [
    [
      "password with a control character",
      "UserPasswordInvalid",
      () => build("on-premises", { users: [["alice", { password: "Secret\u0007-123" }]] }),
      /password is invalid \(11 characters, with control or non-ASCII characters\); allowed: 8 to 64 printable ASCII/,
    ],
    [
      "password with DEL",
      "UserPasswordInvalid",
      () => build("on-premises", { users: [["alice", { password: "Secret-123\u007f" }]] }),
      /password is invalid/,
    ],
    [
      "password longer than 64 characters",
      "UserPasswordInvalid",
      () => build("on-premises", { users: [["alice", { password: "x".repeat(65) }]] }),
      /password is invalid \(65 characters\)/,
    ],
    [
      "password with ';' (SIPp's injection file splits fields there)",
      "UserPasswordInvalid",
      () => build("on-premises", { users: [["alice", { password: "Secret;123" }]] }),
      /without spaces, quotes, backslashes or ';'/,
    ],
    [
      "SIP user part longer than 64 characters",
      "UserSipUriInvalid",
      () => build("on-premises", { users: [["alice", { sipUri: `sip:${"a".repeat(65)}@contoso.test` }]] }),
      /a user part of 1 to 64 characters/,
    ],
    [
      "organization of more than 8 domains",
      "PolicyOrganizationTooLong",
      () =>
        build("cross-premises", {
          extra: (lab) =>
            new HostedVoicemailPolicy(lab, "Many", {
              scope: PolicyScope.user(),
              organization: Array.from({ length: 9 }, (_, i) => `t${i}.test`).join(","),
            }),
        }),
      /policy "Many": organization is too long \(71 characters, 9 domains\); allowed: at most 8 domains and 255 characters/,
    ],
    [
      "organization longer than 255 characters",
      "PolicyOrganizationTooLong",
      () =>
        build("cross-premises", {
          extra: (lab) =>
            new HostedVoicemailPolicy(lab, "Long", {
              scope: PolicyScope.user(),
              organization: ["x", "y"].map((t) => `${t.repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.test`).join(","),
            }),
        }),
      /organization is too long \(393 characters, 2 domains\)/,
    ],
    [
      "display name longer than 40 characters",
      "UserDisplayNameInvalid",
      () => build("on-premises", { users: [["alice", { displayName: "A".repeat(41) }]] }),
      /displayName "A{41}" is invalid; allowed: 1 to 40/,
    ],
    [
      "SIP user part equal to another user's extension",
      "SipUserClashesWithNumber",
      () => clash("sip:1001@contoso.test"),
      /user "bob": SIP user "1001" is the extension of user "alice"; allowed: a SIP user part that is no other user's extension and no contact's number/,
    ],
    [
      "SIP user part equal to a contact's number",
      "SipUserClashesWithNumber",
      () =>
        clash(
          "sip:1900@contoso.test",
          (lab) => new ExUmContact(lab, "SubscriberAccess", { kind: "subscriber-access", displayNumber: "1900", location: "on-premises" }),
        ),
      /user "bob": SIP user "1900" is the number of contact "SubscriberAccess"/,
    ],
  ];
  it.each(cases)("%s: %s", (_name, code, make, message) => {
    const err = rejectionOf(make);
    expect(err.problems.map((p) => p.code)).toContain(code);
    expect(err.message).toMatch(message);
  });

  it("accepts a SIP user part equal to the user's own extension", () => {
    expect(() => build("on-premises", { users: [["alice", { sipUri: "sip:1001@contoso.test" }]] }).validateModel()).not.toThrow();
  });

  it("accepts a password of 64 printable characters, punctuation included", () => {
    const password = "!#$%&'()*+,-./:<=>?@[]^_`{|}~".repeat(3).slice(0, 64).padEnd(64, "x");
    expect(() => build("on-premises", { users: [["alice", { password }]] }).validateModel()).not.toThrow();
  });

  it("gives a user other secrets only under the same rules (Azure's generated ones)", () => {
    const lab = build("on-premises");
    const alice = lab.users[0] as User;
    alice.useSecrets({ password: "Generated-Secret-42", pin: "918273" });
    expect([alice.password, alice.pin]).toEqual(["Generated-Secret-42", "918273"]);
    expect(() => alice.useSecrets({ password: "bad\npassword", pin: "918273" })).toThrow(/password is invalid/);
    expect(() => alice.useSecrets({ password: "Generated-Secret-42", pin: "12" })).toThrow(/pin "12" is invalid/);
  });
});
