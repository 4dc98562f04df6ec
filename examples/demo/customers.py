"""The demo's residents (and one councillor), all made up: Anytown is not a real town, AN is not a
real postcode area, example.org does not deliver mail, and 07700 900xxx are Ofcom's numbers for drama.

Pat Smith is the resident the README and docs/front-office.md search for ("pat smith", 07700 900123,
AN1 2BC), so their details must stay as they are here."""
from __future__ import annotations

CUSTOMERS: dict[str, dict[str, str]] = {
    "pat": {"name": "Pat Smith", "phone": "07700 900123", "email": "pat.smith@example.org",
            "address": "12 Acacia Avenue, Anytown", "postcode": "AN1 2BC"},
    "margaret": {"name": "Margaret Okonkwo", "phone": "07700 900456", "email": "m.okonkwo@example.org",
                 "address": "Flat 3, 41 Mill Lane, Anytown", "postcode": "AN2 4DF"},
    "david": {"name": "David Hughes", "phone": "07700 900217",
              "address": "7 Station Road, Anytown", "postcode": "AN3 1EG"},
    "aisha": {"name": "Aisha Rahman", "phone": "07700 900388", "email": "aisha.rahman@example.org",
              "address": "22 Orchard Close, Anytown", "postcode": "AN1 5HJ"},
    "tom": {"name": "Tom Whitfield", "email": "tom.whitfield@example.org",
            "address": "3 Kingfisher Way, Lower Anytown", "postcode": "AN4 7QT"},
    "sian": {"name": "Siân Llewellyn", "phone": "07700 900604", "email": "sian.llewellyn@example.org",
             "address": "58 Chapel Street, Anytown", "postcode": "AN2 9LP"},
    "grace": {"name": "Grace O'Neill", "phone": "07700 900735", "email": "grace.oneill@example.org",
              "address": "Flat 12, Bramley Court, Anytown", "postcode": "AN5 3RW"},
    "mohammed": {"name": "Mohammed Iqbal", "phone": "07700 900842",
                 "address": "104 Victoria Road, Anytown", "postcode": "AN3 6NB"},
    "eleanor": {"name": "Eleanor Briggs", "phone": "07700 900159",
                "address": "2 The Almshouses, Church Lane, Anytown", "postcode": "AN1 8SX"},
    "kwame": {"name": "Kwame Mensah", "phone": "07700 900971", "email": "kwame.mensah@example.org",
              "address": "Flat 7, Heron House, Canal Walk, Anytown", "postcode": "AN6 2DU"},
    "joan": {"name": "Joan Pritchard", "phone": "07700 900530",
             "address": "19 Foxglove Crescent, Anytown", "postcode": "AN4 1YA"},
    "liam": {"name": "Liam McCarthy", "phone": "07700 900286", "email": "liam.mccarthy@example.org",
             "address": "66 Quarry Hill, Anytown", "postcode": "AN5 8GH"},
    "ruth": {"name": "Ruth Abernethy", "email": "ruth.abernethy@example.org",
             "address": "The Old Forge, Sheep Street, Anytown", "postcode": "AN6 4JE"},
    "helen": {"name": "Cllr Helen Ward", "phone": "07700 900777", "email": "cllr.helen.ward@example.org",
              "address": "Anytown Town Hall, Market Square, Anytown", "postcode": "AN1 1AA"},
}
