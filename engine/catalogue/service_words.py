"""What callers say, and the words council services are named and described with.

Residents rarely say "fly-tipping report": they say "rubbish dumped in the lane". Each entry maps a
caller's word or phrase to the words a service uses; the directory search (``engine.catalogue.directory``)
adds those words, at a lower weight, to what was typed. The list is for the common services of an
English district or unitary council; a council adds its own words per service in the service's
BPMN documentation, which the search reads too. Both sides are stemmed when searched, so one form
of each word is enough ("dumped" covers "dump", "dumping").
"""
from __future__ import annotations

SYNONYMS: dict[str, str] = {
    # waste and bins
    "bin": "bin collection", "bins": "bin collection", "wheelie": "bin", "recycling": "bin collection",
    "refuse": "bin collection", "rubbish collection": "bin collection", "collected": "missed collection",
    "emptied": "missed bin collection", "binmen": "bin collection", "skipped": "missed collection",
    "garden waste": "bin collection", "brown bin": "bin collection", "blue bin": "bin collection",
    # fly-tipping
    "rubbish": "fly tipping", "dumped": "fly tipping", "tipped": "fly tipping", "tipping": "fly tipping",
    "mattress": "fly tipping", "fridge": "fly tipping", "sofa": "fly tipping", "litter": "fly tipping",
    "bags": "fly tipping", "builders waste": "fly tipping", "dumping": "fly tipping",
    # roads
    "pot hole": "pothole", "hole in the road": "pothole", "road": "pothole defect", "crater": "pothole",
    "tarmac": "pothole defect", "pavement": "pothole defect", "footpath": "pothole defect",
    "cracked": "defect", "sunken": "defect",
    # vehicles
    "car": "vehicle", "van": "vehicle", "motorbike": "vehicle", "caravan": "vehicle",
    "untaxed": "abandoned vehicle", "burnt out": "abandoned vehicle", "dumped car": "abandoned vehicle",
    "left": "abandoned", "not moved": "abandoned vehicle",
    # council tax and moving
    "moving": "change of address", "move": "change of address", "moved": "change of address",
    "moving house": "council tax change of address", "new address": "change of address",
    "tenancy": "change of address", "bill": "council tax", "live alone": "single person discount",
    "living alone": "single person discount", "on my own": "single person discount",
    "only adult": "single person discount", "partner left": "single person discount",
    "reduction": "discount", "25%": "single person discount", "widowed": "single person discount",
    # blue badge
    "disabled": "blue badge", "disability": "blue badge", "parking permit": "blue badge",
    "wheelchair": "blue badge", "mobility": "blue badge", "badge": "blue badge",
    # housing repairs
    "leak": "housing repair", "leaking": "housing repair", "damp": "housing repair",
    "mould": "housing repair", "boiler": "housing repair", "heating": "housing repair",
    "broken": "repair", "fix": "repair", "window": "housing repair", "roof": "housing repair",
    "toilet": "housing repair", "landlord": "housing repair", "council house": "housing repair",
    "tenant": "housing repair",
    # councillors
    "councillor": "member enquiry", "cllr": "member enquiry", "ward": "member enquiry",
    "mp": "member enquiry", "member": "member enquiry",
    # complaints
    "complain": "complaint", "unhappy": "complaint", "rude": "complaint", "dissatisfied": "complaint",
    "not happy": "complaint", "poor service": "complaint", "formal complaint": "stage 1 complaint",
}
