"""Build the CHEMDNER demo evaluation set (clingen_hf/seeds/chemdner.demo-eval.jsonl).

Sentences were written from scratch in the style of PubMed abstracts (chemistry, pharmacology,
biochemistry); no corpus text was copied.  Mentions are marked inline with [[double brackets]]
and follow CHEMICAL_GUIDELINES in clingen_hf/core/tasks/ner.py.

Two annotation passes:
  * FIRST_PASS: the sentences as first written and annotated
    -> docs/demo_eval/chemdner.first-pass.jsonl
  * CORRECTIONS: an independent second pass over every sentence; each entry replaces the
    markup of one sentence (same tokens, only tags may change) and gives the reason
    -> clingen_hf/seeds/chemdner.demo-eval.jsonl

Run from the repository root:  python docs/demo_eval/build_chemdner.py
It also recomputes the inter-pass agreement and rewrites docs/demo_eval/chemdner.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from markup import agreement, apply_corrections, format_problems, mention_count, rows, write_jsonl  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIRST_PASS_PATH = ROOT / "docs" / "demo_eval" / "chemdner.first-pass.jsonl"
FINAL_PATH = ROOT / "clingen_hf" / "seeds" / "chemdner.demo-eval.jsonl"
SEED_PATH = ROOT / "clingen_hf" / "seeds" / "chemdner.jsonl"
REPORT_PATH = ROOT / "docs" / "demo_eval" / "chemdner.md"
ENTITY = "Chemical"
TYPES = {None: ENTITY}
FIRST_ROW_NUMBER = 0  # CORRECTIONS count rows from 0

FIRST_PASS: list[str] = [
    # --- rows 1-40: the earlier 40-row demo set (kept; reviewed again in the second pass) ---
    '[[4 - ( 4 - Chlorophenyl ) - 2 - methylthiazole]] was prepared by Hantzsch condensation of [[4 - chlorophenacyl bromide]] with [[thioacetamide]] under reflux .',
    '[[Quercetin]] and [[kaempferol]] were the major [[flavonoids]] detected in the leaf extract by HPLC - DAD .',
    'The IC50 values were calculated from dose - response curves using nonlinear regression .',
    'Fluorescence of the probe was selectively quenched by [[Cu2 +]] in the presence of other competing metal ions .',
    '[[Sildenafil]] , a selective inhibitor of phosphodiesterase type 5 ( PDE5 ) , increases intracellular [[cGMP]] levels in smooth muscle .',
    'Molecular docking suggested that the ligand occupies the hinge region of the kinase catalytic domain .',
    'Mesoporous [[silica]] nanoparticles were functionalized with [[3 - aminopropyltriethoxysilane]] ( [[APTES]] ) to improve drug loading .',
    '[[Atorvastatin]] inhibits the rate - limiting enzyme of [[cholesterol]] biosynthesis in hepatocytes .',
    'Photocatalytic reduction of [[CO2]] to [[methanol]] was achieved using [[g - C3N4]] nanosheets .',
    'All reactions were monitored by thin - layer chromatography and the products were purified by column chromatography .',
    '[[Curcumin]] suppressed NF - kappaB activation and downregulated COX - 2 expression in colon cancer cells .',
    'The antioxidant capacity of the extracts was assessed with the [[DPPH]] and [[ABTS]] radical scavenging assays .',
    'Resistance to [[oxaliplatin]] in colorectal cancer cells was associated with reduced expression of the uptake transporter CTR1 .',
    'Cell viability decreased in a concentration - dependent manner after 48 h of exposure .',
    'Reduction with [[sodium borohydride]] ( [[NaBH4]] ) at room temperature gave the desired diastereomer as the major product .',
    '[[Bisphenol A]] ( [[BPA]] ) was detected in 93 % of urine samples at concentrations up to 12 ng / mL .',
    'The crystal belongs to the monoclinic space group P21 / c with four molecules in the unit cell .',
    '[[Omeprazole]] is metabolized mainly by CYP2C19 to [[5 - hydroxyomeprazole]] .',
    '[[Graphene oxide]] ( [[GO]] ) sheets were chemically reduced with [[hydrazine]] to restore electrical conductivity .',
    '[[ZnO]] nanoparticles showed stronger antibacterial activity against Gram - positive than Gram - negative bacteria .',
    'Pharmacokinetic parameters were estimated by noncompartmental analysis of the plasma concentration - time data .',
    'A library of [[1 , 2 , 3 - triazole]] derivatives was screened for activity against Mycobacterium tuberculosis H37Rv .',
    '[[Rapamycin]] treatment reduced phosphorylation of S6 kinase , a downstream target of mTOR .',
    '[[Dimethyl sulfoxide]] ( [[DMSO]] ) concentrations above 0 . 5 % were avoided because of solvent toxicity .',
    'Levels of [[malondialdehyde]] ( [[MDA]] ) increased , whereas catalase activity decreased in the liver of exposed animals .',
    'The compounds were characterized by elemental analysis , IR spectroscopy and mass spectrometry .',
    'Overdose of [[acetaminophen]] leads to depletion of hepatic [[glutathione]] by its reactive metabolite [[NAPQI]] .',
    'The [[LiFePO4]] cathode material delivered a discharge capacity of 160 mAh / g at a rate of 0 . 1 C .',
    '[[Capsaicin]] evoked inward currents in dorsal root ganglion neurons expressing TRPV1 .',
    'Exposure to [[cadmium chloride]] ( [[CdCl2]] ) induced apoptosis in renal tubular epithelial cells .',
    'The enantiomers were separated on a chiral stationary phase with a resolution greater than 2 .',
    'Magnetic [[Fe3O4]] @ [[SiO2]] core - shell particles were used to extract trace [[Hg2 +]] from river water .',
    '[[Aspirin]] irreversibly inhibits cyclooxygenase - 1 in platelets , thereby reducing [[thromboxane A2]] synthesis .',
    'The reaction proceeded smoothly under mild conditions and tolerated a broad range of functional groups .',
    'Removal of [[ibuprofen]] and [[naproxen]] from spiked wastewater exceeded 90 % after ozonation .',
    '[[( 2E ) - 3 - ( 3 , 4 - Dihydroxyphenyl ) prop - 2 - enoic acid]] ( [[caffeic acid]] ) showed the strongest radical scavenging activity in the series .',
    '[[Tamoxifen]] is bioactivated by CYP2D6 to [[endoxifen]] , which is considerably more potent in breast cancer cells .',
    'Thermogravimetric analysis showed that the framework was stable at temperatures up to 350 degrees Celsius .',
    'The [[Ca2 +]] ionophore [[A23187]] triggered rapid exocytosis in cultured chromaffin cells .',
    '[[Tetrodotoxin]] ( [[TTX]] ) abolished action potential firing in cultured hippocampal neurons .',
    # --- rows 41-200: new ---
    'Oral bioavailability of [[imatinib mesylate]] was reduced when it was given together with the proton pump inhibitor [[pantoprazole]].',
    '[[Doxorubicin]]-loaded liposomes showed lower cardiotoxicity than the free drug in a rat model.',
    'The compound showed potent activity against both drug-sensitive and drug-resistant clinical isolates.',
    'The title compound, [[N-(4-methoxyphenyl)-2-phenylacetamide]], crystallized from [[ethyl acetate]] as colourless needles.',
    '[[Lithium carbonate]] remains a first-line treatment for bipolar disorder despite its narrow therapeutic index.',
    'Pretreatment with [[naloxone]] (1 mg/kg, i.p.) completely blocked the antinociceptive effect of [[morphine]].',
    'Rats received 50 mg/kg of the test substance by oral gavage once daily for 28 days.',
    'Serum levels of [[25-hydroxyvitamin D]] were inversely correlated with insulin resistance in obese adolescents.',
    '[[Benzodiazepines]] enhance the effect of [[GABA]] at the GABAA receptor by increasing the frequency of channel opening.',
    'Nitration of [[toluene]] gave predominantly [[2-nitrotoluene]] and [[4-nitrotoluene]] with only traces of the meta isomer.',
    'Acetylcholinesterase inhibition was measured spectrophotometrically at 412 nm in 96-well plates.',
    '[[Paclitaxel]] stabilizes microtubules by binding to beta-tubulin, leading to mitotic arrest.',
    'Cross-coupling of [[4-bromoanisole]] with [[phenylboronic acid]] was catalysed by [[Pd(PPh3)4]] under microwave irradiation.',
    '[[Warfarin]] dose requirements differ according to VKORC1 and CYP2C9 genotypes.',
    'Expression of the efflux transporter P-glycoprotein was upregulated in the resistant cell lines.',
    'The [[Zn2+]] sensor displayed a 20-fold fluorescence enhancement with a detection limit of 15 nM.',
    'Botulinum toxin type A injections reduced spasticity of the upper limb after stroke.',
    '[[Ketamine]], an NMDA receptor antagonist, produced rapid antidepressant effects in treatment-resistant patients.',
    '[[Caffeine]] and its metabolite [[paraxanthine]] were quantified in saliva by LC-MS/MS.',
    'Catalytic hydrogenation of [[nitrobenzene]] to [[aniline]] was carried out over [[Pt]] nanoparticles at 50 degrees Celsius.',
    'Insulin sensitivity improved significantly after 12 weeks of treatment.',
    '[[Cyclosporine A]] inhibits calcineurin and thereby prevents T-cell activation.',
    'Plasma [[homocysteine]] concentrations decreased after supplementation with [[folic acid]] and [[vitamin B12]].',
    '[[Cisplatin]]-resistant ovarian cancer cells overexpressed the efflux pump ABCC2.',
    'The novel inhibitors were docked into the active site of the enzyme using a rigid receptor model.',
    'Treatment with [[dexamethasone]] (10 mg/kg) attenuated lung inflammation but increased blood [[glucose]] levels.',
    'Commonly prescribed [[corticosteroids]] such as [[prednisolone]] suppress the hypothalamic-pituitary-adrenal axis.',
    '[[Carbamazepine]] is converted by CYP3A4 to [[carbamazepine-10,11-epoxide]], a pharmacologically active metabolite.',
    'Drug-drug interactions were assessed in a randomized, open-label crossover study in healthy volunteers.',
    'Solutions of [[NaCl]] and [[KCl]] at 150 mM were used to adjust the ionic strength.',
    'Inhalation of [[sulfur dioxide]] ([[SO2]]) caused bronchoconstriction in asthmatic volunteers.',
    'The [[polyphenols]] of green tea, mainly [[epigallocatechin-3-gallate]] ([[EGCG]]), inhibited proteasome activity in tumour cells.',
    'Patients with chronic kidney disease require dose adjustment of renally cleared medications.',
    '[[Valproic acid]], a histone deacetylase inhibitor, reactivated latent viral gene expression.',
    'Oxidation of [[L-cysteine]] to [[L-cystine]] was monitored by cyclic voltammetry on a modified electrode.',
    '[[Ethylenediaminetetraacetic acid]] ([[EDTA]]) was added to chelate divalent cations in the buffer.',
    'Levels of the neurotransmitter [[dopamine]] and its metabolite [[homovanillic acid]] were reduced in the striatum.',
    'The synthesized compounds were evaluated for in vitro antiproliferative activity against four human cancer cell lines.',
    'Adsorption of [[methylene blue]] onto the biochar followed pseudo-second-order kinetics.',
    '[[Rifampicin]] is a potent inducer of CYP3A4 and P-glycoprotein and lowers plasma concentrations of many co-administered drugs.',
    '[[Trimethylamine N-oxide]] ([[TMAO]]) is generated from dietary [[choline]] by gut microbial metabolism.',
    'Serum albumin binding of the drug exceeded 98% at therapeutic concentrations.',
    '[[Sulfonamides]] act as competitive inhibitors of dihydropteroate synthase in bacteria.',
    'Monoclonal antibodies against TNF-alpha have transformed the management of inflammatory bowel disease.',
    'Condensation of [[benzaldehyde]] with [[malononitrile]] afforded [[2-benzylidenemalononitrile]] in 95% yield.',
    '[[Perfluorooctanoic acid]] ([[PFOA]]) has a serum elimination half-life of several years in humans.',
    'Cytochrome P450 3A4 is responsible for the oxidative metabolism of about half of marketed drugs.',
    '[[Nicotine]] binds with high affinity to alpha4beta2 nicotinic acetylcholine receptors in the brain.',
    'A series of [[coumarin]]-[[chalcone]] hybrids was designed as dual inhibitors of acetylcholinesterase and butyrylcholinesterase.',
    'Adverse events were mild and resolved without discontinuation of therapy.',
    '[[Tributyltin]] ([[TBT]]) is an endocrine disruptor that induces imposex in marine gastropods.',
    'Supplementation with [[omega-3 fatty acids]] lowered serum [[triglycerides]] by 25% in hypertriglyceridaemic patients.',
    '[[Fluoxetine]] increased extracellular [[serotonin]] in the prefrontal cortex of freely moving rats.',
    'The catalyst could be recovered by simple filtration and reused for five cycles without loss of activity.',
    '[[Ammonium sulfate]] precipitation was used as the first step of enzyme purification.',
    '[[Allicin]], the main bioactive constituent of garlic, is formed from [[alliin]] by the enzyme alliinase.',
    '[[Gentamicin]] and other [[aminoglycosides]] cause dose-dependent nephrotoxicity and ototoxicity.',
    '[[Ciprofloxacin]] chelates [[Mg2+]] ions, which reduces its oral absorption when it is taken with antacids.',
    'Nanocrystalline [[CeO2]] exhibited superoxide dismutase-like activity in vitro.',
    'The half-maximal inhibitory concentration was 3.2 uM for the most active analogue.',
    'The [[H2S]] donor [[GYY4137]] relaxed precontracted aortic rings in a concentration-dependent manner.',
    '[[Tenofovir disoproxil fumarate]] is a prodrug that is hydrolysed in plasma to [[tenofovir]].',
    '[[Anthocyanins]] extracted from purple sweet potato were stable at pH 3 but degraded rapidly at pH 7.',
    'Knockdown of the gene encoding glutathione S-transferase P1 sensitized the cells to chemotherapy.',
    '[[1-Butyl-3-methylimidazolium chloride]] dissolved up to 10 wt% [[cellulose]] at 100 degrees Celsius.',
    '[[Sodium nitroprusside]] releases [[nitric oxide]] spontaneously in the circulation.',
    '[[Aflatoxin B1]] is metabolized to a reactive epoxide that forms adducts with [[guanine]] residues in DNA.',
    '[[Remdesivir]] inhibited viral RNA-dependent RNA polymerase with an EC50 of 0.77 uM in Vero cells.',
    'Antihypertensive agents were withheld for 24 h before the pharmacokinetic study.',
    '[[FeCl3]] efficiently catalysed the acetylation of [[benzyl alcohol]] with [[acetic anhydride]] under solvent-free conditions.',
    '[[Ursolic acid]] and [[oleanolic acid]] are pentacyclic [[triterpenoids]] widely distributed in medicinal plants.',
    'Antioxidants from dietary sources may protect against oxidative stress in the ageing brain.',
    "Urinary [[8-hydroxy-2'-deoxyguanosine]] ([[8-OHdG]]) is a biomarker of oxidative DNA damage.",
    '[[Allopurinol]] and [[febuxostat]] lower serum [[urate]] by inhibiting xanthine oxidase.',
    'The tablets were stored at 25 degrees Celsius and 60% relative humidity for six months.',
    'Thin films of [[CH3NH3PbI3]] perovskite were deposited by spin coating.',
    '[[Sodium dodecyl sulfate]] ([[SDS]]) denatures proteins by disrupting non-covalent interactions.',
    'Unfractionated [[heparin]] was replaced by [[enoxaparin]] in patients without renal impairment.',
    'Hepatotoxicity was the most frequent reason for withdrawal of approved medications from the market.',
    '[[Cocaine]] blocks the dopamine transporter and thereby prolongs synaptic signalling.',
    '[[Acrylamide]] forms during frying from [[asparagine]] and [[glucose]].',
    'Plasma concentrations were determined by a validated bioanalytical method with a lower limit of quantification of 1 ng/mL.',
    '[[Vancomycin]] binds to the [[D-alanyl-D-alanine]] terminus of cell wall precursors.',
    '[[Artemisinin]] and its semisynthetic derivative [[artesunate]] are first-line antimalarials.',
    'Thrombin generation was reduced in a dose-dependent manner by the new anticoagulant.',
    'Cells were loaded with [[Fura-2 AM]] for 30 min at 37 degrees Celsius to monitor cytosolic [[Ca2+]].',
    '[[2,4-Dinitrophenol]] ([[DNP]]) uncouples oxidative phosphorylation by collapsing the mitochondrial membrane potential.',
    '[[Quinine]], isolated from cinchona bark, was the first effective treatment for malaria.',
    '[[CoCl2]] was used to mimic hypoxia by stabilizing HIF-1alpha in cultured cells.',
    'The enzyme retained 80% of its activity after incubation at 60 degrees Celsius for 1 h.',
    '[[Hyaluronic acid]]-coated nanoparticles targeted CD44-overexpressing tumour cells.',
    'The [[alkaloids]] [[berberine]] and [[palmatine]] were isolated from the rhizomes by preparative HPLC.',
    'Interleukin-6 and C-reactive protein levels fell after three months of therapy.',
    'The crude extract was dissolved in 70% [[ethanol]] and filtered before analysis.',
    '[[Cannabidiol]] ([[CBD]]) reduced seizure frequency in children with treatment-resistant epilepsy.',
    'Multimodal analgesic regimens reduced postoperative nausea and vomiting.',
    'Addition of [[methylmagnesium bromide]] to the ketone gave the tertiary alcohol in 88% yield.',
    'Reduction of toxic [[Cr(VI)]] to less toxic [[Cr(III)]] was achieved with [[sodium dithionite]].',
    '[[Penicillin G]] is rapidly inactivated by beta-lactamase produced by resistant staphylococci.',
    'The formulation released 85% of its payload within 12 h at pH 7.4.',
    "[[2,2'-Bipyridine]] ([[bpy]]) forms a stable tetrahedral complex with [[Cu+]].",
    'Aqueous solubility of the lead compound was improved by salt formation.',
    '[[Thalidomide]] binds cereblon and induces degradation of the transcription factors IKZF1 and IKZF3.',
    '[[Carbon monoxide]] binds haemoglobin with an affinity about 240 times that of [[oxygen]].',
    'Most of the tested analogues were inactive at concentrations up to 100 uM.',
    '[[Deferoxamine]] chelates [[Fe3+]] and is used in patients receiving chronic transfusions.',
    '[[Isoniazid]] is acetylated by N-acetyltransferase 2, and slow acetylators are at higher risk of hepatotoxicity.',
    '[[Losartan]] lowered blood pressure without affecting plasma [[potassium]] in hypertensive patients.',
    'Chemotherapy-induced peripheral neuropathy limited the cumulative dose in a third of patients.',
    'Green-synthesized [[silver]] nanoparticles inhibited biofilm formation by Pseudomonas aeruginosa.',
    '[[Cytarabine]] combined with [[daunorubicin]] is the standard induction regimen for acute myeloid leukaemia.',
    '[[Adenosine triphosphate]] ([[ATP]]) released from damaged cells activates P2X7 receptors.',
    'Herbal medicines are frequently used without medical supervision in rural areas.',
    '[[Forskolin]] directly activates adenylyl cyclase and raises intracellular [[cAMP]].',
    'DNA was extracted with [[phenol]]-[[chloroform]] and precipitated with [[isopropanol]].',
    '[[Tetracyclines]] should not be taken with dairy products because they chelate [[calcium]].',
    'The kinase domain mutation T790M confers resistance to first-generation inhibitors.',
    '[[Strychnine]] is a competitive antagonist at glycine receptors in the spinal cord.',
    'Serum [[17beta-estradiol]] concentrations peaked in the late follicular phase.',
    'Blood [[lead]] levels above 5 ug/dL were found in 8% of the children tested.',
    'Membrane permeability was predicted with a parallel artificial membrane permeability assay.',
    '[[Pyridine]] was used as both solvent and base in the sulfonylation of the secondary amine.',
    'Vaccination with the recombinant protein elicited high titres of neutralizing antibodies.',
    'Silylation with [[N,O-bis(trimethylsilyl)trifluoroacetamide]] ([[BSTFA]]) preceded GC-MS analysis of the sterols.',
    '[[Vitamin C]] supplementation did not reduce the incidence of the common cold.',
    '[[beta-Carotene]] is cleaved by a dioxygenase to yield two molecules of [[retinal]].',
    'Each capsule contained 250 mg of the active ingredient and inert excipients.',
    '[[Polyvinylpyrrolidone]] ([[PVP]]) was used as a capping agent to control particle size.',
    'Oral [[zinc]] supplementation shortened the duration of acute diarrhoea in children.',
    'The structures of all new compounds were confirmed by NMR and high-resolution mass spectrometry.',
    'Patients were switched from [[Lipitor]] to generic [[atorvastatin]] without any change in efficacy.',
    'Over-the-counter [[Advil]] contains 200 mg of [[ibuprofen]] per tablet.',
    'The seeds were defatted with [[n-hexane]] and the solvent was removed under reduced pressure.',
    'Hemoglobin A1c decreased by 0.8 percentage points after six months of treatment.',
    '[[Sodium selenite]] at 1 uM protected cardiomyocytes against [[doxorubicin]]-induced apoptosis.',
    '[[Furosemide]] increased urinary excretion of [[sodium]] and [[chloride]].',
    '[[Rhodamine B]] degradation under visible light reached 98% within 60 min over the [[BiVO4]] photocatalyst.',
    '[[Amiodarone]] contains two [[iodine]] atoms per molecule and can cause thyroid dysfunction.',
    '[[Hesperidin]] is hydrolysed by gut bacteria to its aglycone [[hesperetin]].',
    'Recombinant human erythropoietin was given subcutaneously three times a week.',
    '[[Midazolam]] was administered intranasally at 0.2 mg/kg before the procedure.',
    'Treatment of the ester with [[lithium aluminium hydride]] in dry [[diethyl ether]] gave the primary alcohol.',
    'Biodegradation of [[naphthalene]] and [[phenanthrene]] by soil bacteria was enhanced by the addition of surfactant.',
    '[[Atropine]] reversed the bradycardia induced by [[carbachol]].',
    '[[Zoledronic acid]] and other [[bisphosphonates]] inhibit farnesyl pyrophosphate synthase in osteoclasts.',
    'The residue was acidified with 1 M [[HCl]] and extracted three times with [[dichloromethane]].',
    '[[Trifluoroacetic acid]] ([[TFA]]) was used to cleave the peptide from the resin.',
    'The peptide was cleaved from the solid support and purified by preparative reversed-phase chromatography.',
    '[[Clarithromycin]] is a strong inhibitor of CYP3A4 and raises [[simvastatin]] exposure several-fold.',
    'Separation was achieved on a reversed-phase column with a gradient of [[acetonitrile]] and 0.1% [[formic acid]].',
    '[[Genistein]] is a soy [[isoflavone]] with weak estrogenic activity.',
    'Inhaled [[nitrous oxide]] ([[N2O]]) provided effective analgesia during labour.',
    '[[Cyclophosphamide]] is activated by hepatic cytochrome P450 enzymes to [[4-hydroxycyclophosphamide]].',
    'Renal clearance of the parent drug accounted for less than 10% of the administered dose.',
    '[[Emodin]], an [[anthraquinone]] from rhubarb, induced apoptosis in hepatoma cells.',
    '[[Potassium permanganate]] oxidation of the alkene afforded the cis-diol.',
    '[[Capecitabine]] is converted to [[5-fluorouracil]] preferentially in tumour tissue.',
    '[[CdSe]]/[[ZnS]] core/shell quantum dots were conjugated to antibodies for tumour imaging.',
    'Exposure to [[chlorpyrifos]] and other [[organophosphates]] inhibits acetylcholinesterase in the brain.',
    '[[Phthalates]] such as [[di(2-ethylhexyl) phthalate]] ([[DEHP]]) leach from flexible medical tubing.',
]

# Second pass: {row index (0-based): (corrected markup, reason)}.  Tokens must not change.
CORRECTIONS: dict[int, tuple[str, str]] = {
    163: (
        "Silylation with [[N,O-bis(trimethylsilyl)trifluoroacetamide]] ([[BSTFA]]) preceded GC-MS analysis of the [[sterols]].",
        '"sterols" is a class named by its chemistry (like "flavonoids", "triterpenoids", "alkaloids" elsewhere '
        "in the set), so it is a mention; the first pass missed it",
    ),
}


def write_report(first: list[dict], final: list[dict], figures: dict) -> None:
    row_count = len(final)
    free = sum(mention_count(row["ner_tags"]) == 0 for row in final)
    mentions = sum(mention_count(row["ner_tags"]) for row in final)
    first_mentions = sum(mention_count(row["ner_tags"]) for row in first)
    per_row = {n: sum(mention_count(row["ner_tags"]) == n for row in final) for n in range(4)}
    lines = [
        "# CHEMDNER demo evaluation set",
        "",
        "`clingen_hf/seeds/chemdner.demo-eval.jsonl`: sentences written from scratch in the style of PubMed",
        "abstracts in chemistry, pharmacology and biochemistry (no corpus text, no PHI, no person names other",
        "than the eponym of a named reaction), annotated with `CHEMICAL_GUIDELINES`",
        "(`clingen_hf/core/tasks/ner.py`). Rows 1-40 are the earlier 40-row demo set, kept unchanged after review;",
        "rows 41-200 are new. Built by `docs/demo_eval/build_chemdner.py` (inline `[[mention]]` markup,",
        "regex tokenizer `\\w+|[^\\w\\s]`); the first-pass annotation is kept in",
        "`docs/demo_eval/chemdner.first-pass.jsonl`.",
        "",
        f"- rows: {row_count}",
        f"- entity-free rows: {free} ({free / row_count:.0%})",
        f"- Chemical mentions: {mentions} (first pass {first_mentions}); rows with 1/2/3 mentions: "
        f"{per_row[1]}/{per_row[2]}/{per_row[3]}",
        "- hard negatives left unlabelled: general words (compound, drug, medication, treatment, therapy, "
        "the ester, the ketone), doses and units, proteins and peptide hormones (insulin, erythropoietin, "
        "haemoglobin, botulinum toxin), enzymes and receptors, also those containing a chemical name "
        "(glutathione S-transferase, xanthine oxidase, farnesyl pyrophosphate synthase, superoxide "
        "dismutase, GABAA / NMDA / glycine / nicotinic acetylcholine receptors, dopamine transporter), genes, diseases, drug classes named by use (proton pump "
        "inhibitor, antimalarials, antacids, antihypertensive agents), and \"lead compound\" next to "
        "\"blood lead\" (labelled).",
        "",
        "## Inter-pass agreement",
        "",
        "A second pass went through every sentence again against the guidelines as an independent review;",
        "only tags could change. First pass scored against the final (second-pass) annotation:",
        "",
        "| measure | value |",
        "|---|---|",
        f"| entity-level precision (exact span, seqeval strict IOB2) | {figures['precision']:.4f} |",
        f"| entity-level recall | {figures['recall']:.4f} |",
        f"| entity-level F1 | {figures['f1']:.4f} |",
        f"| token-level Cohen's kappa ({figures['tokens']} tokens, {figures['token_disagreements']} differ) "
        f"| {figures['kappa']:.4f} |",
        f"| sentences whose tags changed | {figures['changed_rows']} of {row_count} |",
        "",
        "Both passes were made by the same annotator, so these figures measure self-consistency of a",
        "review, not agreement between independent annotators.",
        "",
        "## Corrections in the second pass",
        "",
        "Row numbers are 1-based line numbers of the JSONL files.",
        "",
    ]
    for index, (markup, reason) in sorted(CORRECTIONS.items()):
        lines.append(f"- row {index + 1}: `{markup}`: {reason}.")
    REPORT_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    first = rows(FIRST_PASS, TYPES)[None]
    final = rows(apply_corrections(FIRST_PASS, CORRECTIONS, FIRST_ROW_NUMBER), TYPES)[None]
    problems = format_problems("chemdner", final, ENTITY, SEED_PATH)
    if problems:
        print("\n".join(problems))
        return 1
    write_jsonl(FIRST_PASS_PATH, first)
    write_jsonl(FINAL_PATH, final)
    figures = agreement(first, final)
    write_report(first, final, figures)
    print(f"wrote {len(first)} rows to {FIRST_PASS_PATH} and {FINAL_PATH}")
    print(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
